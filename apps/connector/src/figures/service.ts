import type { Redis } from "ioredis";
import type { Metrics } from "../http/metrics.js";
import type { CallFull } from "../tracker/call-full.js";
import { aggregate, type Figures, type ManagerRow } from "./aggregate.js";
import { callFigures } from "./call-figures.js";
import { FiguresMetrics } from "./metrics.js";
import { bucketStart, bucketStarts, type Period } from "./period.js";
import { FiguresStore } from "./store.js";

export interface FiguresSettings {
  /** IANA zone (or UTC / ±HH:MM) of "today" and of the day / hour buckets. */
  timeZone: string;
  /** Answered within this many seconds of joining the queue counts for the service level. */
  serviceLevelSeconds: number;
  retentionDays: number;
}

export interface ManagerWithUser extends ManagerRow {
  userId?: number;
  userName?: string;
}

export type FiguresWithUsers = Omit<Figures, "managers"> & { managers: ManagerWithUser[]; timeZone: string; period: string };

/**
 * Queue and manager figures: each finished call's figures are saved when its call_ended stage is
 * taken from the outbox (before the CRM work, so a portal outage does not lose them), counted in
 * /metrics, and summed per period on request.
 */
export class QueueFigures {
  readonly store: FiguresStore;
  readonly #metrics: FiguresMetrics;

  constructor(
    redis: Redis,
    prefix: string,
    readonly settings: FiguresSettings,
    metrics: Metrics,
  ) {
    this.store = new FiguresStore(redis, prefix, settings.retentionDays * 86_400_000);
    this.#metrics = new FiguresMetrics(metrics, settings.serviceLevelSeconds);
  }

  /** Saves the figures of a finished call (idempotent: a retried call_ended replaces them). */
  async record(call: CallFull): Promise<void> {
    if (call.merged_into) return; // the surviving call carries the figures
    const f = callFigures(call);
    const known = await this.store.redis.zscore(`${this.store.prefix}:figures:by-time`, f.key);
    await this.store.save(f);
    if (known === null) this.#metrics.observe(f);
  }

  async figures(period: Period, userOf: (ext: string) => { id: number; name: string } | undefined): Promise<FiguresWithUsers> {
    const zone = this.settings.timeZone;
    const calls = await this.store.range(period.fromMs, period.toMs);
    const f = aggregate(calls, {
      fromMs: period.fromMs,
      toMs: period.toMs,
      serviceLevelSec: this.settings.serviceLevelSeconds,
      bucketStart: (ms, b) => bucketStart(ms, b, zone),
      bucketStarts: (from, to, b) => bucketStarts(from, to, b, zone),
    });
    return {
      ...f,
      timeZone: zone,
      period: period.kind,
      managers: f.managers.map((m) => {
        const u = userOf(m.extension);
        return u ? { ...m, userId: u.id, userName: u.name } : m;
      }),
    };
  }
}
