/**
 * Error statistics the customer can act on (issue 10 §3): errors by type per hour and per day
 * (from the journal's hourly counters), the live error rate — calls not right on the first live
 * pass / all calls — and the rate after reprocessing (calls still not right / all calls).
 *
 * A call counts as "not right live" when the journal marked it failed, or a reprocessing run found
 * it missing from the journal (`liveResult: unseen`), failed, or wrong in the CRM (`wrong`: no
 * record, another responsible). It counts as "not right after reprocessing" while it is failed.
 */
import type { Journal } from "./journal.js";

export interface ErrorBucket {
  /** ISO start of the hour / UTC day. */
  start: string;
  total: number;
  byType: Record<string, number>;
}

export interface ErrorRates {
  from: string;
  to: string;
  /** Calls first seen in the window (in progress ones excluded). */
  calls: number;
  liveErrors: number;
  afterReprocessErrors: number;
  /** null when there were no calls. */
  liveErrorRate: number | null;
  afterReprocessErrorRate: number | null;
}

export type StatsPeriod = "hour" | "day";

export class ErrorStats {
  #cache: { key: string; at: number; value: ErrorRates } | undefined;

  constructor(
    readonly journal: Journal,
    readonly opts: { cacheMs?: number; now?: () => number } = {},
  ) {}

  #now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** `hour`: the last 24 hours; `day`: the last `days` UTC days (default 30). */
  async buckets(period: StatsPeriod, days = 30): Promise<ErrorBucket[]> {
    const now = this.#now();
    if (period === "hour") {
      return (await this.journal.errorsByHour(24, now)).map((h) => ({ start: new Date(h.start).toISOString(), total: sum(h.byType), byType: h.byType }));
    }
    const hoursToday = new Date(now).getUTCHours() + 1;
    const hours = await this.journal.errorsByHour((days - 1) * 24 + hoursToday, now);
    const byDay = new Map<number, Record<string, number>>();
    for (const h of hours) {
      const day = Math.floor(h.start / 86_400_000) * 86_400_000;
      const acc = byDay.get(day) ?? {};
      for (const [t, n] of Object.entries(h.byType)) acc[t] = (acc[t] ?? 0) + n;
      byDay.set(day, acc);
    }
    return [...byDay].map(([start, byType]) => ({ start: new Date(start).toISOString(), total: sum(byType), byType }));
  }

  /** Live and after-reprocessing error rates over [fromMs, toMs] (default: the last 7 days), cached briefly. */
  async rates(fromMs?: number, toMs?: number): Promise<ErrorRates> {
    const now = this.#now();
    const to = toMs ?? now;
    const from = fromMs ?? to - 7 * 86_400_000;
    const key = `${fromMs ?? "-"}:${toMs ?? "-"}`;
    const cacheMs = this.opts.cacheMs ?? 30_000;
    if (this.#cache && this.#cache.key === key && now - this.#cache.at < cacheMs) return this.#cache.value;
    let calls = 0;
    let live = 0;
    let after = 0;
    for (const o of await this.journal.outcomes(from, to)) {
      if (o.status === "in_progress") continue;
      calls++;
      if (o.liveResult || o.status === "failed") live++;
      if (o.status === "failed") after++;
    }
    const value: ErrorRates = {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      calls,
      liveErrors: live,
      afterReprocessErrors: after,
      liveErrorRate: calls ? live / calls : null,
      afterReprocessErrorRate: calls ? after / calls : null,
    };
    this.#cache = { key, at: now, value };
    return value;
  }
}

function sum(byType: Record<string, number>): number {
  return Object.values(byType).reduce((a, b) => a + b, 0);
}
