import { DAY_MS, PRODUCT, REQUEST_HINT } from "./constants.js";
import { factorLabel } from "./fingerprint.js";
import type { LicensePayload } from "./license-payload.js";
import { describeLimits, EVALUATION_LIMITS, type LicenseLimits } from "./limits.js";
import type { MatchReport } from "./match-policy.js";

/** Every human message the library produces. Tests assert these texts exactly. */

export const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
export const days = (n: number): string => `${n} ${n === 1 ? "day" : "days"}`;
/** Whole days, rounded up: 1 ms counts as 1 day. */
export const wholeDaysCeil = (ms: number): number => Math.ceil(ms / DAY_MS);

const who = (p: Pick<LicensePayload, "licenseId" | "customer">): string => `Licence ${p.licenseId} for ${p.customer}`;

export const messages = {
  valid(p: LicensePayload, now: number): string {
    if (p.exp === undefined) return `${who(p)} is valid with no expiry date.`;
    return `${who(p)} is valid until ${isoDate(p.exp * 1000)} (${days(wholeDaysCeil(p.exp * 1000 - now))} left).`;
  },
  tampered(): string {
    return `The licence file was modified after it was issued: its contents no longer match the vendor's signature, so it is refused. Restore the original file you received. ${REQUEST_HINT}`;
  },
  wrongSignature(): string {
    return `The licence is not signed with the ${PRODUCT} vendor key (it was signed with another key), so it is refused. ${REQUEST_HINT}`;
  },
  unsigned(): string {
    return `The licence has no signature (algorithm "none" or an empty signature), so it is refused. ${REQUEST_HINT}`;
  },
  malformed(reason: string): string {
    return `The licence file is not a valid licence (${reason}), so it is refused. ${REQUEST_HINT}`;
  },
  wrongProduct(p: LicensePayload, expected: string): string {
    return `${who(p)} is for the product "${p.product}", not "${expected}", so it is refused. ${REQUEST_HINT}`;
  },
  versionNotCovered(p: LicensePayload, version: string): string {
    return `${who(p)} covers versions ${p.minVersion ?? "(any)"} to ${p.maxVersion ?? "(any)"}, not this version ${version}, so it is refused. ${REQUEST_HINT}`;
  },
  otherMachine(p: LicensePayload, report: MatchReport): string {
    const list = (names: MatchReport["matched"]): string => (names.length ? names.map(factorLabel).join(", ") : "none");
    return `${who(p)} was issued for another machine (matched: ${list(report.matched)}; not matched: ${list(report.notMatched)}), so it is refused on this machine. ${REQUEST_HINT}`;
  },
  notYetValid(p: LicensePayload, now: number): string {
    return `${who(p)} is not valid before ${isoDate(p.nbf * 1000)} (${days(wholeDaysCeil(p.nbf * 1000 - now))} from now), so it is refused. Check this machine's date and time. ${REQUEST_HINT}`;
  },
  expired(p: LicensePayload, daysExpired: number): string {
    return `${who(p)} expired on ${isoDate((p.exp ?? 0) * 1000)} (${days(daysExpired)} ago). ${REQUEST_HINT}`;
  },
  expiredInGrace(p: LicensePayload, daysExpired: number, graceDays: number, graceEndsAt: number, graceDaysLeft: number): string {
    return `${who(p)} expired on ${isoDate((p.exp ?? 0) * 1000)} (${days(daysExpired)} ago). The connector keeps working during the ${graceDays}-day grace period until ${isoDate(graceEndsAt)} (${days(graceDaysLeft)} left); after that it accepts no new calls. ${REQUEST_HINT}`;
  },
  expiredGraceOver(p: LicensePayload, daysExpired: number, graceDays: number, graceEndsAt: number): string {
    return `${who(p)} expired on ${isoDate((p.exp ?? 0) * 1000)} (${days(daysExpired)} ago) and the ${graceDays}-day grace period ended on ${isoDate(graceEndsAt)}: the connector accepts no new calls; calls already in progress continue. ${REQUEST_HINT}`;
  },
  evaluation(limits: LicenseLimits = EVALUATION_LIMITS): string {
    return `No licence file: running in evaluation mode (${describeLimits(limits)}; no optional features). ${REQUEST_HINT}`;
  },
  overLimit(kind: "operator" | "PBX" | "portal", id: string, limit: number, served: readonly string[], evaluation: boolean): string {
    const label = kind === "operator" ? "Operator" : kind === "portal" ? "Bitrix24 portal" : "PBX";
    const plural = kind === "operator" ? "operators" : kind === "portal" ? "Bitrix24 portals" : "PBXes";
    const by = evaluation ? "evaluation mode allows" : "the licence allows";
    const allowance =
      limit === 0
        ? `${by} no ${plural}`
        : `${by} ${limit} ${limit === 1 ? plural.replace(/(es|s)$/, "") : plural} and ${limit === 1 ? "it is" : "they are all"} in use (${served.join(", ")})`;
    return `${label} ${id} is not served: ${allowance}. ${REQUEST_HINT}`;
  },
};
