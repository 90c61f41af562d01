import type { KeyObject } from "node:crypto";
import jwt from "jsonwebtoken";
import { LICENSE_ALGORITHM, PRODUCT } from "./constants.js";
import type { MachineFingerprint } from "./fingerprint.js";
import { keyIdOf, parsePublicKey } from "./keys.js";
import { compareVersions, payloadProblem, type LicensePayload } from "./license-payload.js";
import { matchMachine, type MatchReport } from "./match-policy.js";
import { messages, wholeDaysCeil } from "./messages.js";

/** Why a licence is not (fully) valid. */
export type LicenseProblemKind =
  "tampered" | "wrong_signature" | "unsigned" | "malformed" | "wrong_product" | "version_not_covered" | "other_machine" | "not_yet_valid" | "expired";

/** Outcome of verifying a licence; `message` is the exact text shown to people. */
export type LicenseVerification =
  | { ok: true; kind: "valid"; license: LicensePayload; daysLeft: number | null; message: string }
  | { ok: false; kind: "tampered" | "wrong_signature" | "unsigned"; message: string; detail: string }
  | { ok: false; kind: "malformed"; message: string; detail: string }
  | { ok: false; kind: "wrong_product" | "version_not_covered"; license: LicensePayload; message: string }
  | { ok: false; kind: "other_machine"; license: LicensePayload; match: MatchReport; message: string }
  | { ok: false; kind: "not_yet_valid"; license: LicensePayload; daysUntilValid: number; message: string }
  | { ok: false; kind: "expired"; license: LicensePayload; daysExpired: number; expiredAt: number; message: string };

export interface VerifyOptions {
  /** The vendor public key (PEM or KeyObject). */
  publicKey: string | KeyObject;
  /** Hashed fingerprint of the machine the licence is checked on. */
  machine: MachineFingerprint;
  /** Current time, ms since the epoch. */
  now: number;
  /** Expected product (default asterisk-b24). */
  product?: string;
  /** Running product version x.y.z; when given it must lie within the licence's min/max version. */
  version?: string;
}

/**
 * Verifies a licence token. Checks, in order: structure, signature (unsigned / another key / modified),
 * payload shape, product, version, machine, then dates. An expired licence still returns its payload so
 * the caller can apply a grace period.
 */
export function verifyLicense(token: string, options: VerifyOptions): LicenseVerification {
  const publicKey = parsePublicKey(options.publicKey);
  const text = token.trim();
  const parts = text.split(".");
  if (parts.length !== 3 || !parts[0] || !parts[1]) {
    return malformed(parts.length === 2 ? "no signature part" : "it is not a signed licence token");
  }
  const header = decodeSegment(parts[0]);
  if (!header || typeof header !== "object") return malformed("unreadable header");
  const payload = decodeSegment(parts[1]);
  if (payload === undefined) return malformed("unreadable contents");
  const alg = (header as { alg?: unknown }).alg;
  if (alg === "none" || !parts[2]) {
    return { ok: false, kind: "unsigned", message: messages.unsigned(), detail: `alg=${String(alg)}` };
  }
  if (alg !== LICENSE_ALGORITHM) {
    return { ok: false, kind: "wrong_signature", message: messages.wrongSignature(), detail: `algorithm ${String(alg)} is not accepted` };
  }
  const expectedKid = keyIdOf(publicKey);
  const kid = (header as { kid?: unknown }).kid;
  if (kid !== expectedKid) {
    return {
      ok: false,
      kind: "wrong_signature",
      message: messages.wrongSignature(),
      detail: `signed by key ${String(kid)}, expected ${expectedKid}`,
    };
  }
  try {
    jwt.verify(text, publicKey, { algorithms: [LICENSE_ALGORITHM], ignoreExpiration: true, ignoreNotBefore: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (/signature/i.test(reason)) {
      return { ok: false, kind: "tampered", message: messages.tampered(), detail: reason };
    }
    return malformed(reason);
  }
  const problem = payloadProblem(payload);
  if (problem) return malformed(problem);
  const license = payload as LicensePayload;
  const product = options.product ?? PRODUCT;
  if (license.product !== product) {
    return { ok: false, kind: "wrong_product", license, message: messages.wrongProduct(license, product) };
  }
  if (options.version !== undefined) {
    const below = license.minVersion !== undefined && compareVersions(options.version, license.minVersion) < 0;
    const above = license.maxVersion !== undefined && compareVersions(options.version, license.maxVersion) > 0;
    if (below || above) {
      return { ok: false, kind: "version_not_covered", license, message: messages.versionNotCovered(license, options.version) };
    }
  }
  const match = matchMachine(license.machine.factors, options.machine, license.machine.policy);
  if (!match.matches) {
    return { ok: false, kind: "other_machine", license, match, message: messages.otherMachine(license, match) };
  }
  const now = options.now;
  if (license.nbf * 1000 > now) {
    return {
      ok: false,
      kind: "not_yet_valid",
      license,
      daysUntilValid: wholeDaysCeil(license.nbf * 1000 - now),
      message: messages.notYetValid(license, now),
    };
  }
  if (license.exp !== undefined && license.exp * 1000 <= now) {
    const expiredAt = license.exp * 1000;
    const daysExpired = Math.max(1, wholeDaysCeil(now - expiredAt));
    return { ok: false, kind: "expired", license, daysExpired, expiredAt, message: messages.expired(license, daysExpired) };
  }
  const daysLeft = license.exp === undefined ? null : wholeDaysCeil(license.exp * 1000 - now);
  return { ok: true, kind: "valid", license, daysLeft, message: messages.valid(license, now) };
}

function malformed(reason: string): LicenseVerification {
  return { ok: false, kind: "malformed", message: messages.malformed(reason), detail: reason };
}

function decodeSegment(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

/** Reads a licence's payload WITHOUT checking anything (for display only). */
export function peekLicense(token: string): unknown {
  const part = token.trim().split(".")[1];
  return part ? decodeSegment(part) : undefined;
}
