/**
 * Request limits of the cloud portal (fact sheet §5): the request-intensity leaky bucket per portal + source IP
 * (503 QUERY_LIMIT_EXCEEDED) and the per-(credential, method) operating-time budget (429 OPERATION_TIME_LIMIT).
 */
import type { LimitsConfig, OperatingLimitConfig } from "./types.js";

/** Counter +1 per HTTP request, drained by `drainPerSec`; a request that would push it above `burst` is refused. */
export class LeakyBucket {
  private levels = new Map<string, { level: number; at: number }>();

  constructor(
    private config: LimitsConfig | false,
    private readonly now: () => number,
  ) {}

  set(config: LimitsConfig | false): void {
    this.config = config;
    this.levels.clear();
  }

  get current(): LimitsConfig | false {
    return this.config;
  }

  /** True when the request may pass (and is counted), false when it must get 503. */
  take(key: string): boolean {
    if (!this.config) return true;
    const now = this.now();
    const row = this.levels.get(key) ?? { level: 0, at: now };
    const drained = Math.max(0, row.level - ((now - row.at) / 1000) * this.config.drainPerSec);
    if (drained + 1 > this.config.burst + 1e-9) {
      this.levels.set(key, { level: drained, at: now });
      return false;
    }
    this.levels.set(key, { level: drained + 1, at: now });
    return true;
  }

  level(key: string): number {
    if (!this.config) return 0;
    const row = this.levels.get(key);
    if (!row) return 0;
    return Math.max(0, row.level - ((this.now() - row.at) / 1000) * this.config.drainPerSec);
  }

  reset(): void {
    this.levels.clear();
  }
}

interface MinuteBucket {
  start: number;
  cost: number;
}

/** Ten sub-buckets per window; a bucket lives `windowSec` from its first call (fact sheet §5.2). */
export class OperatingLimiter {
  private buckets = new Map<string, MinuteBucket[]>();

  constructor(
    private config: OperatingLimitConfig | false,
    private readonly now: () => number,
  ) {}

  set(config: OperatingLimitConfig | false): void {
    this.config = config;
    this.buckets.clear();
  }

  get enabled(): boolean {
    return this.config !== false;
  }

  get batchAccounting(): "batch" | "inner" {
    return this.config ? (this.config.batchAccounting ?? "batch") : "batch";
  }

  private live(key: string): MinuteBucket[] {
    if (!this.config) return [];
    const windowMs = this.config.windowSec * 1000;
    const now = this.now();
    const list = (this.buckets.get(key) ?? []).filter((b) => b.start + windowMs > now);
    this.buckets.set(key, list);
    return list;
  }

  /** Checked before the call: blocked once the budget has been crossed. */
  blocked(key: string): boolean {
    if (!this.config) return false;
    return this.operating(key) > this.config.limitSec;
  }

  cost(method: string, measuredSec: number): number {
    if (!this.config) return 0;
    const c = this.config.costSec;
    if (typeof c === "number") return c;
    if (typeof c === "function") return c(method);
    return measuredSec;
  }

  book(key: string, seconds: number): void {
    if (!this.config) return;
    const list = this.live(key);
    const now = this.now();
    const last = list[list.length - 1];
    const sliceMs = (this.config.windowSec * 1000) / 10;
    if (last && now < last.start + sliceMs) last.cost += seconds;
    else list.push({ start: now, cost: seconds });
  }

  operating(key: string): number {
    return this.live(key).reduce((s, b) => s + b.cost, 0);
  }

  /** Unix time when the oldest bucket drops out, or undefined when nothing is booked. */
  resetAt(key: string): number | undefined {
    if (!this.config) return undefined;
    const first = this.live(key)[0];
    return first ? Math.floor((first.start + this.config.windowSec * 1000) / 1000) : undefined;
  }

  reset(): void {
    this.buckets.clear();
  }
}
