/**
 * Per-method operating-time budget (§5.2): the portal reports `time.operating` (seconds this method used
 * in the last 10 minutes for our credential) and `operating_reset_at`. Values are shared in Redis so
 * every worker backs off a method that nears the limit before the portal answers 429.
 *
 *   operating >= limit - margin          -> method blocked until operating_reset_at + 1 s
 *   operating >= slowdownAt * limit      -> a growing delay before each request with that method
 *   a 429 OPERATION_TIME_LIMIT           -> blocked until the last seen reset (or `blockMs`)
 *
 * Bitrix24 sources disagree on whether a batch is charged to `batch` or to its inner methods, so both
 * the outer `time` (method "batch") and each `result_time[key]` (inner method) are recorded.
 */
import type { Redis } from "ioredis";
import type { B24Time } from "./transport.js";

export interface OperatingConfig {
  /** Budget per method and 10-minute window, seconds (cloud 480; on-premise 420 when enabled). */
  limitSec?: number;
  /** Block this many seconds before the limit (default 5). */
  marginSec?: number;
  /** Start slowing down at this share of the limit (default 0.8). */
  slowdownAt?: number;
  /** Longest slow-down delay per request (default 7000 ms). */
  maxDelayMs?: number;
  /** Block after a 429 when no reset time is known (default 60 000 ms). */
  blockMs?: number;
}

interface Seen {
  op: number;
  resetAt: number; // unix ms, 0 unknown
  blockedUntil: number; // unix ms
}

export class OperatingTracker {
  private readonly key: string;
  private readonly cache = new Map<string, Seen>();
  private cacheAt = 0;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    portal: string,
    private readonly cfg: OperatingConfig = {},
  ) {
    this.key = `${prefix}:operating:${portal}`;
  }

  private get limitMs() {
    return (this.cfg.limitSec ?? 480) * 1000;
  }

  /** Records the `time` objects of one answer: `[method, time]` pairs. */
  async record(entries: Array<[string, B24Time | undefined]>): Promise<void> {
    const fields: string[] = [];
    const now = Date.now();
    for (const [method, time] of entries) {
      if (!time || typeof time.operating !== "number") continue;
      const m = method.toLowerCase();
      const seen: Seen = { op: time.operating * 1000, resetAt: typeof time.operating_reset_at === "number" ? time.operating_reset_at * 1000 : 0, blockedUntil: 0 };
      if (seen.op >= this.limitMs - (this.cfg.marginSec ?? 5) * 1000) seen.blockedUntil = Math.max(seen.resetAt + 1000, now + 1000);
      this.cache.set(m, seen);
      fields.push(m, JSON.stringify(seen));
    }
    if (fields.length)
      await this.redis
        .multi()
        .hset(this.key, ...fields)
        .pexpire(this.key, 15 * 60_000)
        .exec();
  }

  /** A 429 for these methods: block them until their reset (or blockMs). */
  async block(methods: string[]): Promise<void> {
    const now = Date.now();
    const fields: string[] = [];
    for (const method of methods) {
      const m = method.toLowerCase();
      const prev = this.cache.get(m);
      const until = prev?.resetAt && prev.resetAt > now ? prev.resetAt + 1000 : now + (this.cfg.blockMs ?? 60_000);
      const seen: Seen = { op: prev?.op ?? this.limitMs, resetAt: prev?.resetAt ?? 0, blockedUntil: until };
      this.cache.set(m, seen);
      fields.push(m, JSON.stringify(seen));
    }
    if (fields.length)
      await this.redis
        .multi()
        .hset(this.key, ...fields)
        .pexpire(this.key, 15 * 60_000)
        .exec();
  }

  /** Milliseconds to wait before a request carrying these methods (0 = go). */
  async delayFor(methods: string[]): Promise<number> {
    const now = Date.now();
    if (now - this.cacheAt > 1000) {
      const all = await this.redis.hgetall(this.key);
      this.cache.clear();
      for (const [m, v] of Object.entries(all)) {
        try {
          this.cache.set(m, JSON.parse(v) as Seen);
        } catch {
          /* ignore a damaged field */
        }
      }
      this.cacheAt = now;
    }
    let wait = 0;
    const slowAt = (this.cfg.slowdownAt ?? 0.8) * this.limitMs;
    for (const method of methods) {
      const s = this.cache.get(method.toLowerCase());
      if (!s) continue;
      if (s.resetAt && now >= s.resetAt && s.blockedUntil <= now) continue; // window rolled over
      if (s.blockedUntil > now) wait = Math.max(wait, s.blockedUntil - now);
      else if (s.op >= slowAt) {
        const share = (s.op - slowAt) / Math.max(1, this.limitMs - slowAt);
        wait = Math.max(wait, Math.round(Math.min(1, share) * (this.cfg.maxDelayMs ?? 7000)));
      }
    }
    return wait;
  }
}
