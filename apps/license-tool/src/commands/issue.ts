import { writeFileSync } from "node:fs";
import {
  describeLimits,
  describePolicy,
  factorLabel,
  isoDate,
  issueLicense,
  loadPrivateKeyFile,
  parsePolicy,
  presentFactors,
  readLicenseRequestFile,
  type MatchPolicy,
} from "@asterisk-b24/license";
import { type CliContext, date, list, parseOptions, pathIn, required, version, wholeNumber } from "../context.js";
import { UsageError } from "../errors.js";

const DAY = 86_400_000;

export function issue(ctx: CliContext, argv: string[]): number {
  const o = parseOptions("issue", argv, {
    request: { type: "string" },
    "private-key": { type: "string" },
    expires: { type: "string" },
    days: { type: "string" },
    starts: { type: "string" },
    operators: { type: "string" },
    pbxes: { type: "string" },
    portals: { type: "string" },
    features: { type: "string" },
    customer: { type: "string" },
    "license-id": { type: "string" },
    policy: { type: "string" },
    "min-version": { type: "string" },
    "max-version": { type: "string" },
    out: { type: "string" },
  });
  const requestPath = pathIn(ctx, required("issue", o.request, "request"));
  const keyPath = pathIn(ctx, required("issue", o["private-key"], "private-key"));
  const limits = {
    operators: wholeNumber("issue", o.operators, "operators"),
    pbxes: wholeNumber("issue", o.pbxes, "pbxes", 1),
    portals: wholeNumber("issue", o.portals, "portals", 1),
  };
  if (o.expires !== undefined && o.days !== undefined) throw new UsageError("give either --expires or --days, not both", "issue");
  if (o.expires === undefined && o.days === undefined) throw new UsageError("missing --expires <YYYY-MM-DD|never> or --days <n>", "issue");
  const now = ctx.now();
  const startsAt = o.starts !== undefined ? date("issue", o.starts, "starts", false) : now;
  let expiresAt: number | undefined;
  if (o.days !== undefined) expiresAt = startsAt + wholeNumber("issue", o.days, "days") * DAY;
  else if (o.expires !== "never") expiresAt = date("issue", o.expires!, "expires", true);
  let policy: MatchPolicy | undefined;
  if (o.policy !== undefined) {
    try {
      policy = parsePolicy(o.policy);
    } catch (error) {
      throw new UsageError(`--policy: ${(error as Error).message}`, "issue");
    }
  }
  const minVersion = version("issue", o["min-version"], "min-version");
  const maxVersion = version("issue", o["max-version"], "max-version");
  const request = readLicenseRequestFile(requestPath);
  const privateKey = loadPrivateKeyFile(keyPath);
  const { token, payload } = issueLicense({
    privateKey,
    customer: o.customer ?? request.customer,
    factors: request.factors,
    limits,
    features: list(o.features),
    issuedAt: now,
    notBefore: startsAt,
    expiresAt,
    ...(o["license-id"] ? { licenseId: o["license-id"] } : {}),
    ...(policy ? { policy } : {}),
    ...(minVersion ? { minVersion } : {}),
    ...(maxVersion ? { maxVersion } : {}),
  });
  const out = pathIn(ctx, o.out ?? `${payload.licenseId}.lic`);
  writeFileSync(out, `${token}\n`);
  ctx.out(`Licence ${payload.licenseId} for ${payload.customer} written to ${out}`);
  ctx.out(`  valid:    ${isoDate(payload.nbf * 1000)} → ${payload.exp !== undefined ? isoDate(payload.exp * 1000) : "no expiry"}`);
  ctx.out(`  limits:   ${describeLimits(payload.limits)}`);
  ctx.out(`  features: ${payload.features.join(", ") || "none"}`);
  ctx.out(`  machine:  ${presentFactors(payload.machine.factors).map(factorLabel).join(", ")}; matches when ${describePolicy(payload.machine.policy)}`);
  return 0;
}
