import type { CallSummary, ErrorBucket } from "../journal/index.js";
import type { CallRecord } from "../tracker/model.js";

/** Pure figures of the overview, computed from the journal and the tracker's state. */

export interface HourCalls {
  start: number;
  answered: number;
  missed: number;
  /** Not (yet) finished in Bitrix24: in progress, failed, skipped, cancelled. */
  other: number;
}

/** A call counts as answered when Bitrix24's STATUS_CODE is 200, missed for any other code. */
export function callsPerHour(calls: CallSummary[], hours: number, now: number): HourCalls[] {
  const current = Math.floor(now / 3600_000) * 3600_000;
  const first = current - (hours - 1) * 3600_000;
  const out: HourCalls[] = [];
  for (let i = 0; i < hours; i++) out.push({ start: first + i * 3600_000, answered: 0, missed: 0, other: 0 });
  for (const c of calls) {
    const i = Math.floor((c.firstSeenAt - first) / 3600_000);
    const bucket = out[i];
    if (!bucket || i < 0) continue;
    if (c.status === "delivered" && c.statusCode === "200") bucket.answered++;
    else if (c.status === "delivered" && c.statusCode) bucket.missed++;
    else bucket.other++;
  }
  return out;
}

/** Hourly buckets summed into days (UTC), oldest first. */
export function dailyBuckets(hourly: ErrorBucket[]): ErrorBucket[] {
  const days = new Map<number, ErrorBucket>();
  for (const h of hourly) {
    const day = Math.floor(h.start / 86_400_000) * 86_400_000;
    const d = days.get(day) ?? { start: day, total: 0, byType: {} };
    d.total += h.total;
    for (const [t, n] of Object.entries(h.byType)) d.byType[t] = (d.byType[t] ?? 0) + n;
    days.set(day, d);
  }
  return [...days.values()].sort((a, b) => a.start - b.start);
}

export interface ErrorRate {
  /** Calls first seen in the window that ended (delivered, failed, skipped, cancelled). */
  finished: number;
  failed: number;
  /** failed / finished (0 when nothing finished). */
  rate: number;
  /** Typed errors recorded in the current and the previous hour. */
  errors: number;
  windowMinutes: number;
}

export function errorRate(calls: CallSummary[], hourly: ErrorBucket[], now: number, windowMs = 3600_000): ErrorRate {
  const recent = calls.filter((c) => c.firstSeenAt >= now - windowMs && c.status !== "in_progress");
  const failed = recent.filter((c) => c.status === "failed").length;
  const errors = hourly.slice(-2).reduce((n, b) => n + b.total, 0);
  return { finished: recent.length, failed, rate: recent.length ? failed / recent.length : 0, errors, windowMinutes: Math.round(windowMs / 60_000) };
}

export interface LiveCall {
  key: string;
  since: number;
  direction: "inbound" | "outbound" | "internal";
  client: string;
  line: string;
  /** Employees' legs still up: extension and whether they talk or ring. */
  legs: Array<{ ext: string; state: "ringing" | "talking" }>;
}

export function liveCalls(calls: Readonly<Record<string, CallRecord>>): LiveCall[] {
  const out: LiveCall[] = [];
  for (const call of Object.values(calls)) {
    const first = call.channels[call.order[0] ?? ""];
    const legs = call.convOrder
      .map((id) => call.conversations[id])
      .filter((c): c is NonNullable<typeof c> => c !== undefined && c.endedAt === 0)
      .map((c) => ({ ext: c.ext, state: c.acceptedAt > 0 ? ("talking" as const) : ("ringing" as const) }));
    const fromEmployee = first?.kind === "employee";
    const trunkOut = Object.values(call.channels).find((ch) => ch.kind === "trunk" && ch.origin === "dialed");
    out.push({
      key: call.key,
      since: call.createdAt,
      direction: fromEmployee ? (trunkOut ? "outbound" : "internal") : "inbound",
      client: fromEmployee ? trunkOut?.exten || first?.exten || "" : (first?.cidNum ?? ""),
      line: call.did,
      legs,
    });
  }
  return out.sort((a, b) => a.since - b.since);
}

/** Batches per minute from samples of the queue's completed count (newest last). */
export class RateSampler {
  readonly #samples: Array<{ at: number; value: number }> = [];
  constructor(readonly windowMs = 60_000) {}

  add(at: number, value: number): number {
    this.#samples.push({ at, value });
    while (this.#samples.length > 2 && this.#samples[1]!.at <= at - this.windowMs) this.#samples.shift();
    const first = this.#samples[0]!;
    const dt = at - first.at;
    // the completed count drops when old batches are removed: no negative rates
    return dt > 0 ? Math.max(0, ((value - first.value) * 60_000) / dt) : 0;
  }
}

export interface UnownedFigures {
  /** Where calls nobody owns land now (the /status `crm.fallback_user`), null: nowhere (not registered). */
  fallbackUser: { source: string; id: number | null; name?: string | null } | null;
  /** Calls nobody owned that landed on a fallback user (durable count). */
  onFallback: number;
  /** Calls nobody owned that were not registered (no fallback allowed). */
  notLanded: number;
}

/** The overview's figures about calls nobody owns, from /status's `crm` section. */
export function unownedFigures(crm: Record<string, unknown> | undefined): UnownedFigures {
  const fb = crm?.fallback_user;
  return {
    fallbackUser: fb && typeof fb === "object" ? (fb as UnownedFigures["fallbackUser"]) : null,
    onFallback: Number(crm?.calls_on_fallback_user ?? 0) || 0,
    notLanded: Number(crm?.calls_not_landed ?? 0) || 0,
  };
}
