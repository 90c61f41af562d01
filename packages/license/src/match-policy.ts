import { factorLabel, presentFactors, type FactorName, type MachineFingerprint } from "./fingerprint.js";

/**
 * When a machine matches a licence: it matches when ALL factors of ANY one rule match.
 * "mac" matches when at least one licensed MAC is present on the machine.
 */
export interface MatchPolicy {
  anyOf: FactorName[][];
}

/**
 * Default: the machine-id alone, or hostname together with one MAC. A VM whose MAC changes on every
 * boot still matches by machine-id; a reinstalled OS (new machine-id) on the same box still matches by
 * hostname + NIC. See docs/decisions/0007-licence-format.md.
 */
export const DEFAULT_MATCH_POLICY: MatchPolicy = { anyOf: [["machineId"], ["hostname", "mac"]] };

/**
 * The policy a licence gets when the vendor does not choose one: the default rules whose factors the
 * request actually contains. Empty when no default rule is usable.
 */
export function policyForFactors(fingerprint: MachineFingerprint, base: MatchPolicy = DEFAULT_MATCH_POLICY): MatchPolicy {
  const present = presentFactors(fingerprint);
  return { anyOf: base.anyOf.filter((rule) => rule.length > 0 && rule.every((f) => present.includes(f))) };
}

/** Parses "machine-id|hostname+mac" into a policy. */
export function parsePolicy(text: string): MatchPolicy {
  const aliases: Record<string, FactorName> = { "machine-id": "machineId", machineid: "machineId", mac: "mac", hostname: "hostname" };
  const anyOf = text
    .split("|")
    .map((rule) => rule.trim())
    .filter(Boolean)
    .map((rule) =>
      rule.split("+").map((part) => {
        const name = aliases[part.trim().toLowerCase()];
        if (!name) throw new Error(`unknown factor "${part.trim()}" in policy (use machine-id, mac, hostname)`);
        return name;
      }),
    );
  if (anyOf.length === 0) throw new Error("empty policy");
  return { anyOf };
}

export function describePolicy(policy: MatchPolicy): string {
  return policy.anyOf.map((rule) => rule.map(factorLabel).join(" + ")).join(" | ");
}

export interface MatchReport {
  matches: boolean;
  /** Licensed factors found on this machine. */
  matched: FactorName[];
  /** Licensed factors not found on this machine. */
  notMatched: FactorName[];
}

export function matchMachine(licensed: MachineFingerprint, current: MachineFingerprint, policy: MatchPolicy): MatchReport {
  const matched: FactorName[] = [];
  const notMatched: FactorName[] = [];
  const check = (name: FactorName, ok: boolean, licensedHas: boolean): void => {
    if (!licensedHas) return;
    (ok ? matched : notMatched).push(name);
  };
  check("machineId", !!licensed.machineId && licensed.machineId === current.machineId, !!licensed.machineId);
  const currentMacs = new Set(current.macs ?? []);
  check(
    "mac",
    (licensed.macs ?? []).some((m) => currentMacs.has(m)),
    (licensed.macs ?? []).length > 0,
  );
  check("hostname", !!licensed.hostname && licensed.hostname === current.hostname, !!licensed.hostname);
  const matches = policy.anyOf.some((rule) => rule.length > 0 && rule.every((f) => matched.includes(f)));
  return { matches, matched, notMatched };
}
