import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { CallOutbox } from "./call-outbox.js";

/**
 * Handles one stage of one call. Throwing leaves the stage pending; it is retried later (after a
 * growing backoff, or after `retryAfterMs` when the error carries one: an expected wait).
 */
export type StageHandler = (callKey: string, stage: unknown, index: number) => Promise<void>;

export interface CallWorkerPoolOptions {
  /** Calls handled at the same time (each call strictly in order). */
  concurrency: number;
  /** How often idle workers look for calls other processes may have left pending. */
  pollMs: number;
  /** Lease on a call; renewed while a stage is being handled. */
  lockTtlMs: number;
  /** Delay before a failed stage is tried again (doubles up to maxRetryDelayMs). */
  retryDelayMs: number;
  maxRetryDelayMs: number;
  logger?: Logger;
}

export const defaultPoolOptions: CallWorkerPoolOptions = {
  concurrency: 32,
  pollMs: 200,
  lockTtlMs: 30_000,
  retryDelayMs: 500,
  maxRetryDelayMs: 30_000,
};

/**
 * Ordered per call, parallel across calls: takes calls with pending stages from the outbox,
 * leases each (so two processes never handle one call at once), and runs its stages one by
 * one through the handler. A stage is acknowledged only after the handler resolved, so a
 * process killed mid-stage leaves it pending for whoever picks the call up next.
 */
export class CallWorkerPool {
  readonly owner = randomUUID();
  readonly #options: CallWorkerPoolOptions;
  readonly #busy = new Set<string>();
  readonly #backoff = new Map<string, { until: number; delay: number }>();
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #scanning = false;
  #rescan = false;
  #idleWaiters: Array<() => void> = [];

  constructor(
    readonly outbox: CallOutbox,
    readonly handler: StageHandler,
    options: Partial<CallWorkerPoolOptions> = {},
  ) {
    this.#options = { ...defaultPoolOptions, ...options };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#timer = setInterval(() => this.notify(), this.#options.pollMs);
    this.notify();
  }

  /** Something was committed: look for work now instead of at the next poll. */
  notify(): void {
    if (!this.#running) return;
    if (this.#scanning) {
      this.#rescan = true;
      return;
    }
    void this.#scan();
  }

  get activeCalls(): number {
    return this.#busy.size;
  }

  /** Resolves when no call is being handled and nothing is pending (tests, graceful stop). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.#busy.size === 0 && (await this.outbox.pendingCount()) === 0) return;
      await new Promise<void>((resolve) => {
        this.#idleWaiters.push(resolve);
        setTimeout(resolve, this.#options.pollMs);
      });
    }
  }

  /**
   * Stops taking new calls and waits up to `graceMs` for the stages in progress. A stage still
   * running then is left pending (acknowledged only after its handler resolved), and its call's
   * lease is given back so the next process resumes it at once.
   */
  async stop(graceMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.#running = false;
    if (this.#timer) clearInterval(this.#timer);
    const deadline = Date.now() + graceMs;
    while (this.#busy.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const callKey of this.#busy) await this.outbox.unlock(callKey, this.owner).catch(() => undefined);
  }

  async #scan(): Promise<void> {
    this.#scanning = true;
    try {
      do {
        this.#rescan = false;
        const free = this.#options.concurrency - this.#busy.size;
        if (free <= 0) break;
        const candidates = await this.outbox.pendingCalls(free + this.#busy.size + 64);
        const now = Date.now();
        for (const callKey of candidates) {
          if (this.#busy.size >= this.#options.concurrency) break;
          if (this.#busy.has(callKey)) continue;
          const b = this.#backoff.get(callKey);
          if (b && b.until > now) continue;
          if (!(await this.outbox.tryLock(callKey, this.owner, this.#options.lockTtlMs))) continue;
          this.#busy.add(callKey);
          void this.#drain(callKey);
        }
      } while (this.#rescan && this.#running);
    } catch (err) {
      this.#options.logger?.error({ err }, "call worker pool: scan failed");
    } finally {
      this.#scanning = false;
    }
  }

  async #drain(callKey: string): Promise<void> {
    const renew = setInterval(
      () => {
        void this.outbox.renewLock(callKey, this.owner, this.#options.lockTtlMs).catch(() => undefined);
      },
      Math.max(1000, this.#options.lockTtlMs / 3),
    );
    let failed = false;
    try {
      for (;;) {
        const pending = await this.outbox.readPending(callKey);
        if (pending.length === 0) break;
        for (const { index, stage } of pending) {
          await this.handler(callKey, stage, index);
          await this.outbox.markDone(callKey, index);
        }
      }
      this.#backoff.delete(callKey);
    } catch (err) {
      failed = true;
      const prev = this.#backoff.get(callKey);
      const waitMs = retryAfterOf(err);
      if (waitMs !== undefined) {
        // An expected wait (e.g. a register Bitrix24 de-duplicated onto another call): look again then.
        this.#backoff.set(callKey, { until: Date.now() + waitMs, delay: prev?.delay ?? this.#options.retryDelayMs / 2 });
        this.#options.logger?.debug({ callKey, reason: (err as Error).message, retryInMs: waitMs }, "stage waits");
      } else {
        const delay = prev ? Math.min(prev.delay * 2, this.#options.maxRetryDelayMs) : this.#options.retryDelayMs;
        this.#backoff.set(callKey, { until: Date.now() + delay, delay });
        this.#options.logger?.warn({ err, callKey, retryInMs: delay }, "stage handling failed; will retry");
      }
    } finally {
      clearInterval(renew);
      try {
        if (failed) await this.outbox.unlock(callKey, this.owner);
        else await this.outbox.release(callKey, this.owner);
      } catch (err) {
        this.#options.logger?.error({ err, callKey }, "call worker pool: release failed");
      }
      this.#busy.delete(callKey);
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
      this.notify();
    }
  }
}

/** `retryAfterMs` of an error that asks for a plain wait instead of a backoff. */
function retryAfterOf(err: unknown): number | undefined {
  const ms = (err as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof ms === "number" && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
