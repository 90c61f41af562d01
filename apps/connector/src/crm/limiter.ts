/**
 * The one request-rate limit shared by every worker and every connector process talking to a portal:
 * a leaky bucket in Redis (limiter.lua) with reservations (GCRA), kept in step with the portal by its
 * 503 QUERY_LIMIT_EXCEEDED answers. Time is Redis's (TIME), never a local timer: a process starved
 * of CPU sends late, which a leaky bucket always tolerates, and never early.
 * b24jssdk's limiter lives in process memory, so two processes would each spend the full budget.
 */
import { readFileSync } from "node:fs";
import type { Redis } from "ioredis";

const LUA = readFileSync(new URL("./limiter.lua", import.meta.url), "utf8");

export interface LimiterConfig {
  /** Requests the portal accepts in a burst (cloud 50, Enterprise 250). */
  burst: number;
  /** Requests per second the bucket drains (cloud 2, Enterprise 5). */
  drainPerSec: number;
  /** Units kept free below `burst` against clock skew and off-by-one on the portal side (default 2). */
  safety?: number;
  /** Longest wait one reservation may take; longer waits are re-asked later (default 5000 ms). */
  maxReserveMs?: number;
  /** Two 503s closer than this slow the drain down; then step back up 10 % per this many ms without one (default 60 000). */
  recoverAfterMs?: number;
  /** Floors for the adaptation: drain multiplier (default 0.1) and capacity (default 3). */
  minFactor?: number;
  minCapacity?: number;
}

export interface LimiterState {
  level: number;
  factor: number;
  capacity: number;
}

export class RedisLimiter {
  private readonly key: string;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    portal: string,
    private readonly cfg: LimiterConfig,
  ) {
    this.key = `${prefix}:limiter:${portal}`;
    if (!(cfg.drainPerSec > 0) || !(cfg.burst >= 1)) throw new RangeError("limiter needs burst >= 1 and drainPerSec > 0");
  }

  private get capacity(): number {
    return Math.max(1, this.cfg.burst - (this.cfg.safety ?? 2));
  }

  private run(mode: string, x: number): Promise<number[]> {
    return this.redis.eval(
      LUA,
      1,
      this.key,
      mode,
      this.capacity,
      this.cfg.drainPerSec,
      x,
      this.cfg.maxReserveMs ?? 5000,
      this.cfg.recoverAfterMs ?? 60_000,
      this.cfg.minFactor ?? 0.1,
      this.cfg.minCapacity ?? 3,
      24 * 3600_000,
    ) as Promise<number[]>;
  }

  /**
   * One reservation attempt without sleeping: granted → send after `waitMs`; not granted → nothing
   * reserved (the wait would exceed maxReserveMs), ask again after up to `waitMs`.
   */
  async reserve(): Promise<{ granted: boolean; waitMs: number }> {
    const [granted, waitMs] = (await this.run("acquire", 1)) as [number, number];
    return { granted: granted === 1, waitMs };
  }

  /** Resolves when this process may send one request. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (this.closed || signal?.aborted) throw new Error("limiter closed");
      const [granted, wait] = (await this.run("acquire", 1)) as [number, number];
      if (wait > 0) await sleep(granted ? wait : Math.min(wait, this.cfg.maxReserveMs ?? 5000), signal);
      if (granted) return;
    }
  }

  /**
   * The portal said 503 although the bucket had room: its bucket is full now. Set ours to full plus
   * a pause (one drain interval); slow down only when 503s repeat (see limiter.lua).
   */
  async resync(pauseMs?: number): Promise<void> {
    await this.run("resync", pauseMs ?? 1000 / this.cfg.drainPerSec);
  }

  async state(): Promise<LimiterState> {
    const [level, factor, cap] = (await this.run("peek", 0)) as [number, number, number];
    return { level: level / 1000, factor: factor / 1000, capacity: cap };
  }

  close(): void {
    this.closed = true;
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
