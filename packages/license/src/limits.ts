/** What a licence allows. Every count is a maximum of distinct items served at once. */
export interface LicenseLimits {
  /** Distinct operator extensions served. */
  operators: number;
  /** Distinct Asterisk PBXes connected. */
  pbxes: number;
  /** Distinct Bitrix24 portals connected. */
  portals: number;
}

/** Evaluation mode (no licence file): small, not time-limited, no optional features. */
export const EVALUATION_LIMITS: Readonly<LicenseLimits> = Object.freeze({ operators: 3, pbxes: 1, portals: 1 });

export function describeLimits(limits: LicenseLimits): string {
  const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  return [plural(limits.operators, "operator", "operators"), plural(limits.pbxes, "PBX", "PBXes"), plural(limits.portals, "Bitrix24 portal", "Bitrix24 portals")].join(", ");
}
