import { HttpError } from "@asterisk-b24/common";
import { CALL_OUTCOME_STATUSES, type CallOutcomeStatus } from "../journal/journal.js";

/** Values of `?status=` on /api/calls. */
export const CALL_STATUSES: readonly CallOutcomeStatus[] = CALL_OUTCOME_STATUSES;

type Query = Record<string, unknown>;

/**
 * An integer query parameter within [min, max]; absent → `fallback`. Anything else (`abc`, `1.5`,
 * `-3`, repeated) is a 400 naming the parameter and the range, never a raw storage error.
 */
export function intParam(query: Query, name: string, o: { min: number; max: number; fallback: number }): number {
  const raw = query[name];
  if (raw === undefined || raw === "") return o.fallback;
  const n = typeof raw === "string" && /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < o.min || n > o.max) {
    throw new HttpError(400, "bad_query", `${name} must be an integer from ${o.min} to ${o.max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** A query parameter that must be one of `allowed`; absent → undefined. */
export function enumParam<T extends string>(query: Query, name: string, allowed: readonly T[]): T | undefined {
  const raw = query[name];
  if (raw === undefined || raw === "") return undefined;
  if (typeof raw !== "string" || !(allowed as readonly string[]).includes(raw)) {
    throw new HttpError(400, "bad_query", `${name} must be one of ${allowed.join(", ")}, got ${JSON.stringify(raw)}`);
  }
  return raw as T;
}
