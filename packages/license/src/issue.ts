import { createPublicKey, randomBytes, type KeyObject } from "node:crypto";
import jwt from "jsonwebtoken";
import { LICENSE_ALGORITHM, LICENSE_FORMAT_VERSION, PRODUCT } from "./constants.js";
import { LicenseIssueError } from "./errors.js";
import { factorLabel, presentFactors, type MachineFingerprint } from "./fingerprint.js";
import { keyIdOf, parsePrivateKey } from "./keys.js";
import type { LicensePayload } from "./license-payload.js";
import type { LicenseLimits } from "./limits.js";
import { DEFAULT_MATCH_POLICY, describePolicy, type MatchPolicy } from "./match-policy.js";

export interface IssueLicenseOptions {
  privateKey: string | KeyObject;
  customer: string;
  /** Hashed factors of the licensed machine (from the request file). */
  factors: MachineFingerprint;
  limits: LicenseLimits;
  features?: string[];
  /** ms since epoch; default now. */
  issuedAt: number;
  /** ms since epoch; default = issuedAt. */
  notBefore?: number;
  /** ms since epoch; undefined = no expiry. */
  expiresAt?: number | undefined;
  licenseId?: string;
  policy?: MatchPolicy;
  minVersion?: string;
  maxVersion?: string;
  product?: string;
}

export function newLicenseId(now: number): string {
  return `LIC-${new Date(now).toISOString().slice(0, 10).replace(/-/g, "")}-${randomBytes(4).toString("hex").toUpperCase()}`;
}

/** Signs a licence (vendor side). Returns the token text and the payload it holds. */
export function issueLicense(options: IssueLicenseOptions): { token: string; payload: LicensePayload } {
  const privateKey = typeof options.privateKey === "string" ? parsePrivateKey(options.privateKey) : options.privateKey;
  const customer = options.customer.trim();
  if (!customer) throw new LicenseIssueError("the customer name is empty");
  for (const [key, n] of Object.entries(options.limits)) {
    if (!Number.isInteger(n) || n < 0) throw new LicenseIssueError(`limit ${key} must be a whole number ≥ 0, got ${n}`);
  }
  const present = presentFactors(options.factors);
  const wanted = options.policy ?? DEFAULT_MATCH_POLICY;
  // Rules needing a factor the request does not have could never match: they are dropped.
  const policy = { anyOf: wanted.anyOf.filter((rule) => rule.length > 0 && rule.every((f) => present.includes(f))) };
  if (policy.anyOf.length === 0) {
    throw new LicenseIssueError(
      `the request's machine factors (${present.map(factorLabel).join(", ") || "none"}) cannot satisfy the match policy (${describePolicy(
        wanted,
      )}); choose a policy with --policy, e.g. --policy hostname`,
    );
  }
  const nbf = options.notBefore ?? options.issuedAt;
  if (options.expiresAt !== undefined && options.expiresAt <= nbf) {
    throw new LicenseIssueError("the expiry date is not after the start date");
  }
  const payload: LicensePayload = {
    v: LICENSE_FORMAT_VERSION,
    product: options.product ?? PRODUCT,
    licenseId: options.licenseId ?? newLicenseId(options.issuedAt),
    customer,
    iat: Math.floor(options.issuedAt / 1000),
    nbf: Math.floor(nbf / 1000),
    machine: { factors: options.factors, policy },
    limits: { operators: options.limits.operators, pbxes: options.limits.pbxes, portals: options.limits.portals },
    features: [...new Set(options.features ?? [])].sort(),
  };
  if (options.expiresAt !== undefined) payload.exp = Math.floor(options.expiresAt / 1000);
  if (options.minVersion) payload.minVersion = options.minVersion;
  if (options.maxVersion) payload.maxVersion = options.maxVersion;
  const token = jwt.sign(payload, privateKey, {
    algorithm: LICENSE_ALGORITHM,
    keyid: keyIdOf(createPublicKey(privateKey)),
  });
  return { token, payload };
}
