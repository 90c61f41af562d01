import type { Redis } from "ioredis";
import type { CallFigures } from "./call-figures.js";

/**
 * Per-call figures, durable in Redis (P = prefix):
 *   P:figures:calls    HASH  call key → CallFigures JSON
 *   P:figures:by-time  ZSET  call key → call start (ms)
 * Saving again (a retried call_ended) replaces the call's figures: nothing counts twice.
 */
export class FiguresStore {
  constructor(
    readonly redis: Redis,
    readonly prefix: string,
    readonly retentionMs: number,
  ) {}

  get #calls(): string {
    return `${this.prefix}:figures:calls`;
  }
  get #byTime(): string {
    return `${this.prefix}:figures:by-time`;
  }

  async save(f: CallFigures): Promise<void> {
    await this.redis.multi().hset(this.#calls, f.key, JSON.stringify(f)).zadd(this.#byTime, f.startedAt, f.key).exec();
  }

  /** Figures of the calls that started in [fromMs, toMs]. */
  async range(fromMs: number, toMs: number): Promise<CallFigures[]> {
    const keys = await this.redis.zrangebyscore(this.#byTime, String(fromMs), String(toMs));
    const out: CallFigures[] = [];
    for (let i = 0; i < keys.length; i += 1000) {
      const values = await this.redis.hmget(this.#calls, ...keys.slice(i, i + 1000));
      for (const v of values) if (v) out.push(JSON.parse(v) as CallFigures);
    }
    return out;
  }

  /** Drops the calls older than the retention. */
  async prune(now = Date.now()): Promise<number> {
    const old = await this.redis.zrangebyscore(this.#byTime, "-inf", String(now - this.retentionMs), "LIMIT", 0, 10_000);
    if (old.length === 0) return 0;
    await this.redis
      .multi()
      .hdel(this.#calls, ...old)
      .zrem(this.#byTime, ...old)
      .exec();
    return old.length;
  }
}
