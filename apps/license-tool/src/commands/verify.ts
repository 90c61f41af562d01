import type { KeyObject } from "node:crypto";
import {
  computeFingerprint,
  describeLimits,
  describePolicy,
  factorLabel,
  isoDate,
  LicenseFileError,
  LicenseGuard,
  loadPublicKeyFile,
  matchMachine,
  PublicKeyMissingError,
  readLicenseFile,
  readLicenseRequestFile,
  resolveVendorPublicKey,
  systemFingerprintSources,
  verifyLicense,
  type MachineFingerprint,
} from "@asterisk-b24/license";
import { type CliContext, parseOptions, pathIn, required, version, wholeNumber } from "../context.js";
import { UsageError } from "../errors.js";

export function verify(ctx: CliContext, argv: string[]): number {
  const o = parseOptions("verify", argv, {
    license: { type: "string" },
    "public-key": { type: "string" },
    request: { type: "string" },
    "machine-id-file": { type: "string" },
    "product-version": { type: "string" },
    "grace-days": { type: "string" },
    json: { type: "boolean" },
  });
  const licensePath = pathIn(ctx, required("verify", o.license, "license"));
  const productVersion = version("verify", o["product-version"], "product-version");
  const graceDays = wholeNumber("verify", o["grace-days"], "grace-days", 14);
  const token = readLicenseFile(licensePath);
  if (token === undefined) throw new LicenseFileError(`licence file not found: ${licensePath}`);
  const publicKey = vendorKey(ctx, o["public-key"]);
  const machine: MachineFingerprint =
    o.request !== undefined
      ? readLicenseRequestFile(pathIn(ctx, o.request)).factors
      : computeFingerprint(systemFingerprintSources(o["machine-id-file"] !== undefined ? { machineIdPaths: [pathIn(ctx, o["machine-id-file"])] } : {}));
  const where = o.request !== undefined ? "the requesting machine" : "this machine";

  const guard = new LicenseGuard({
    publicKey,
    machine,
    clock: { now: () => ctx.now() },
    graceDays,
    ...(productVersion ? { version: productVersion } : {}),
  });
  const status = guard.load(token);
  if (o.json) {
    ctx.out(JSON.stringify(status, null, 2));
    return status.state === "valid" ? 0 : 1;
  }

  const result = verifyLicense(token, { publicKey, machine, now: ctx.now(), ...(productVersion ? { version: productVersion } : {}) });
  ctx.out(`Licence file: ${licensePath}`);
  if ("license" in result) {
    const p = result.license;
    const match = matchMachine(p.machine.factors, machine, p.machine.policy);
    const versions = p.minVersion || p.maxVersion ? `${p.minVersion ?? "any"} to ${p.maxVersion ?? "any"}` : "any";
    const expiry =
      p.exp === undefined
        ? "no expiry"
        : `${isoDate(p.exp * 1000)} (${status.daysLeft !== null && status.daysLeft >= 0 ? `${status.daysLeft} days left` : `expired ${-(status.daysLeft ?? 0)} days ago`})`;
    ctx.out(`  licence:   ${p.licenseId}`);
    ctx.out(`  customer:  ${p.customer}`);
    ctx.out(`  product:   ${p.product}, versions ${versions}`);
    ctx.out(`  valid:     ${isoDate(p.nbf * 1000)} → ${expiry}`);
    ctx.out(`  limits:    ${describeLimits(p.limits)}`);
    ctx.out(`  features:  ${p.features.join(", ") || "none"}`);
    ctx.out(`  machine:   matches when ${describePolicy(p.machine.policy)}`);
    ctx.out(
      `  ${where}: ${match.matches ? "MATCHES" : "DOES NOT MATCH"} (matched: ${match.matched.map(factorLabel).join(", ") || "none"}; not matched: ${
        match.notMatched.map(factorLabel).join(", ") || "none"
      })`,
    );
  }
  ctx.out(`State: ${status.state}${status.acceptingNewCalls ? "" : " (the connector accepts no new calls)"}`);
  if (status.state === "valid") ctx.out(status.message);
  else ctx.err(status.message);
  return status.state === "valid" ? 0 : 1;
}

function vendorKey(ctx: CliContext, path: string | undefined): KeyObject {
  if (path !== undefined) return loadPublicKeyFile(pathIn(ctx, path));
  try {
    return resolveVendorPublicKey().key;
  } catch (error) {
    if (error instanceof PublicKeyMissingError) {
      throw new UsageError("this build has no embedded vendor public key; pass --public-key <vendor.pub.pem>", "verify");
    }
    throw error;
  }
}
