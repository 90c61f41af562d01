import { writeFileSync } from "node:fs";
import { createLicenseRequest, factorLabel, parseFactorList, presentFactors, systemFingerprintSources } from "@asterisk-b24/license";
import { type CliContext, parseOptions, pathIn, required, toolVersion, version } from "../context.js";
import { UsageError } from "../errors.js";

export function request(ctx: CliContext, argv: string[]): number {
  const o = parseOptions("request", argv, {
    customer: { type: "string" },
    contact: { type: "string" },
    factors: { type: "string" },
    "machine-id-file": { type: "string" },
    "product-version": { type: "string" },
    out: { type: "string" },
  });
  const customer = required("request", o.customer, "customer");
  let factors;
  try {
    factors = o.factors !== undefined ? parseFactorList(o.factors) : undefined;
  } catch (error) {
    throw new UsageError(`--factors: ${(error as Error).message}`, "request");
  }
  if (factors && factors.length === 0) throw new UsageError("--factors is empty", "request");
  const sources = systemFingerprintSources(o["machine-id-file"] !== undefined ? { machineIdPaths: [pathIn(ctx, o["machine-id-file"])] } : {});
  const req = createLicenseRequest({
    customer,
    contact: o.contact,
    productVersion: version("request", o["product-version"], "product-version") ?? toolVersion(),
    ...(factors ? { factors } : {}),
    sources,
    now: ctx.now(),
  });
  const out = pathIn(ctx, o.out ?? "asterisk-b24-license-request.json");
  writeFileSync(out, `${JSON.stringify(req, null, 2)}\n`);
  ctx.out(`Licence request written to ${out}`);
  ctx.out(`  customer: ${req.customer}`);
  ctx.out(`  product:  ${req.product} ${req.productVersion}`);
  ctx.out(`  bound to: ${presentFactors(req.factors).map(factorLabel).join(", ")} (stored hashed)`);
  ctx.out(`Send this file to your vendor; install the licence file you get back (see docs/licensing.md).`);
  return 0;
}
