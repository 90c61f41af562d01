import { LICENSE_FORMAT_VERSION } from "./constants.js";
import type { FactorName, MachineFingerprint } from "./fingerprint.js";
import type { LicenseLimits } from "./limits.js";
import type { MatchPolicy } from "./match-policy.js";

/** The signed contents of a licence (the JWT payload). Times are JWT seconds since the epoch. */
export interface LicensePayload {
  /** Payload format version. */
  v: typeof LICENSE_FORMAT_VERSION;
  product: string;
  licenseId: string;
  customer: string;
  /** Issued at. */
  iat: number;
  /** Not valid before. */
  nbf: number;
  /** Expiry; absent = no expiry date. */
  exp?: number;
  machine: { factors: MachineFingerprint; policy: MatchPolicy };
  limits: LicenseLimits;
  features: string[];
  /** Lowest / highest product version (x.y.z) the licence covers; absent = unbounded. */
  minVersion?: string;
  maxVersion?: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
const VERSION = /^\d+\.\d+\.\d+$/;
const FACTORS: FactorName[] = ["machineId", "mac", "hostname"];

/** Checks a decoded payload's shape. Returns the reason it is unusable, or undefined when fine. */
export function payloadProblem(value: unknown): string | undefined {
  if (!isObject(value)) return "the payload is not an object";
  if (value.v !== LICENSE_FORMAT_VERSION) return `unsupported licence format version ${JSON.stringify(value.v)}`;
  for (const key of ["product", "licenseId", "customer"] as const) {
    if (typeof value[key] !== "string" || !(value[key] as string).trim()) return `"${key}" is missing`;
  }
  for (const key of ["iat", "nbf"] as const) {
    if (!Number.isInteger(value[key])) return `"${key}" is missing`;
  }
  if (value.exp !== undefined && !Number.isInteger(value.exp)) return `"exp" is not a time`;
  const machine = value.machine;
  if (!isObject(machine) || !isObject(machine.factors) || !isObject(machine.policy)) return `"machine" is missing`;
  const f = machine.factors;
  if (f.machineId !== undefined && !(typeof f.machineId === "string" && HEX64.test(f.machineId))) return "bad machine-id hash";
  if (f.hostname !== undefined && !(typeof f.hostname === "string" && HEX64.test(f.hostname))) return "bad hostname hash";
  if (f.macs !== undefined && !(Array.isArray(f.macs) && f.macs.every((m) => typeof m === "string" && HEX64.test(m)))) {
    return "bad MAC hashes";
  }
  const anyOf = machine.policy.anyOf;
  if (!Array.isArray(anyOf) || anyOf.length === 0 || !anyOf.every((rule) => Array.isArray(rule) && rule.length > 0 && rule.every((n) => FACTORS.includes(n as FactorName)))) {
    return "bad machine match policy";
  }
  const limits = value.limits;
  if (!isObject(limits)) return `"limits" is missing`;
  for (const key of ["operators", "pbxes", "portals"] as const) {
    const n = limits[key];
    if (!Number.isInteger(n) || (n as number) < 0) return `limit "${key}" is not a whole number`;
  }
  if (!Array.isArray(value.features) || !value.features.every((x) => typeof x === "string")) return `"features" is not a list`;
  for (const key of ["minVersion", "maxVersion"] as const) {
    if (value[key] !== undefined && !(typeof value[key] === "string" && VERSION.test(value[key] as string))) {
      return `"${key}" is not a version x.y.z`;
    }
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Compares x.y.z versions (pre-release suffixes are ignored). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string): number[] =>
    v
      .split("-")[0]!
      .split(".")
      .map((p) => Number.parseInt(p, 10) || 0);
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}
