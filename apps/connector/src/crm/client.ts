/**
 * B24Client — the public face of the CRM layer. Every command goes the same way:
 *
 *   call()/chain() → Batcher (coalesce ≤ 50, short window) → BullMQ job (Redis, deterministic id)
 *     → Worker lane → BatchExecutor (operating budget → shared Redis bucket → auth → HTTP)
 *     → per-command outcomes in the job's return value → back to the waiting promise.
 *
 * Any number of clients (processes) may share a portal: they share the queue, the bucket, the
 * operating budget and the OAuth tokens through Redis. A client with `worker: false` only submits.
 */
import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import type { RedisTarget } from "@asterisk-b24/common";
import { Redis } from "ioredis";
import type { ConnectionOptions, Queue, QueueEvents, Worker } from "bullmq";
import type { B24AuthMode } from "./auth/types.js";
import { Batcher, validateEntry, type BatchPayload, type ChainCommand, type Entry } from "./batcher.js";
import { BatchExecutor, type CommandOutcome, type SucceededOutcome } from "./batch-executor.js";
import { B24ClientClosedError, B24Error, B24OperatingLimitError, B24RateLimitError, B24ServerError, errorFromJSON } from "./errors.js";
import { RedisLimiter, type LimiterConfig } from "./limiter.js";
import { OperatingTracker, type OperatingConfig } from "./operating.js";
import { batchJobOptions, createBatchEvents, createBatchQueue, createBatchWorker, finishedBatch, type BatchJobResult, type QueueConfig } from "./queue.js";
import { RetryPolicy, type RetryConfig } from "./retry-policy.js";
import { HttpTransport, type Transport } from "./transport.js";

export interface B24ClientOptions {
  /** Portal key: one bucket, one queue, one token pair per portal (e.g. "example.bitrix24.ru"). */
  portal: string;
  auth: B24AuthMode;
  /** Redis connection (default 127.0.0.1:6379). */
  redis?: RedisTarget;
  /** Prefix of every Redis key and queue of this client (default "b24"). */
  prefix?: string;
  batch?: {
    /** Commands per batch, ≤ 50 (default 50). */
    maxCommands?: number;
    /** Coalescing window after the first command of a batch (default 10 ms). */
    windowMs?: number;
  };
  /** Batches in flight at once from this process (= worker concurrency; default 4). */
  lanes?: number;
  /** Run a worker in this process (default true). */
  worker?: boolean;
  /** Shared request bucket (default cloud: burst 50, 2/s). Enterprise: 250 / 5. */
  limits?: LimiterConfig;
  operating?: OperatingConfig;
  retry?: RetryConfig;
  http?: {
    /** Per-request timeout (default 180 000 ms: a slow box must be given time; cloud cuts at 60 s anyway). */
    timeoutMs?: number;
  };
  queue?: QueueConfig;
  /**
   * BullMQ priority of this client's batches (e.g. 10 for reprocessing). Unset (live calls): taken
   * before any prioritized batch of the same queue.
   */
  priority?: number;
  /** Replace the HTTP transport (tests). */
  transport?: Transport;
  logger?: { warn(obj: object, msg?: string): void; debug?(obj: object, msg?: string): void };
}

export type ChainOutcome = SucceededOutcome | { ok: false; error: B24Error };
/** Outcome of every command of a chain, by the command's name. */
export type ChainResult = Record<string, ChainOutcome>;

export interface SubmitOptions {
  /** Idempotency key: the same id submitted again (e.g. after a restart) joins the first submission. */
  id?: string;
}

interface Waiter {
  resolve: (r: ChainResult) => void;
  reject: (e: Error) => void;
}

export class B24Client {
  readonly portal: string;
  private readonly prefix: string;
  private readonly redis: Redis;
  private readonly connection: ConnectionOptions;
  private readonly queue: Queue<BatchPayload, BatchJobResult>;
  private readonly events: QueueEvents;
  private worker: Worker<BatchPayload, BatchJobResult> | undefined;
  private readonly batcher: Batcher;
  private readonly limiter: RedisLimiter;
  private readonly transport: Transport;
  private readonly abort = new AbortController();
  private readonly ready: Promise<void>;
  /** entry id → everyone in this process waiting for it (a chain() and a result(), say) */
  private readonly waiters = new Map<string, Waiter[]>();
  /** job id → entry ids waiting on it */
  private readonly jobEntries = new Map<string, { entries: Set<string>; since: number }>();
  private readonly inflightEnqueues = new Set<Promise<void>>();
  /** entry ids submitted from this process and not settled yet */
  private readonly submitted = new Set<string>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: B24ClientOptions) {
    this.portal = opts.portal;
    this.prefix = opts.prefix ?? "b24";
    // Every lane and upload waiting for a limiter slot listens on this one signal.
    setMaxListeners(0, this.abort.signal);
    const conn: RedisTarget = opts.redis ?? { host: "127.0.0.1", port: 6379 };
    this.connection = conn as ConnectionOptions;
    this.redis = new Redis({ ...conn, maxRetriesPerRequest: 3 });
    this.redis.on("error", () => {}); // surfaced through failed commands
    this.queue = createBatchQueue(this.connection, this.prefix, this.portal);
    this.events = createBatchEvents(this.connection, this.prefix, this.portal);
    this.queue.on("error", () => {});
    this.events.on("error", () => {});
    this.limiter = new RedisLimiter(this.redis, this.prefix, this.portal, opts.limits ?? { burst: 50, drainPerSec: 2 });
    this.transport = opts.transport ?? new HttpTransport();
    this.batcher = new Batcher({
      portal: this.portal,
      maxCommands: opts.batch?.maxCommands,
      windowMs: opts.batch?.windowMs,
      // Hold commands while `lanes` batches of this process already wait for Bitrix24.
      ready: () => this.jobEntries.size < (opts.lanes ?? 4),
      onFlush: (batch, entries) => this.track(this.enqueue(batch, entries)),
    });
    this.events.on("completed", ({ jobId, returnvalue }) => {
      const rv = (typeof returnvalue === "string" ? JSON.parse(returnvalue) : returnvalue) as BatchJobResult;
      void this.settleJob(jobId, rv, undefined);
    });
    this.events.on("failed", ({ jobId, failedReason }) => {
      void this.checkJob(jobId, failedReason);
    });
    this.ready = this.start();
    this.ready.catch(() => {});
  }

  private async start(): Promise<void> {
    await this.opts.auth.init?.({ redis: this.redis, prefix: this.prefix, portal: this.portal });
    await this.events.waitUntilReady();
    if (this.opts.worker !== false) {
      const executor = new BatchExecutor({
        auth: this.opts.auth,
        transport: this.transport,
        limiter: this.limiter,
        operating: new OperatingTracker(this.redis, this.prefix, this.portal, this.opts.operating),
        retry: new RetryPolicy(this.opts.retry),
        timeoutMs: this.opts.http?.timeoutMs ?? 180_000,
        signal: this.abort.signal,
        log: (msg, data) => this.opts.logger?.warn({ portal: this.portal, ...data }, msg),
      });
      this.worker = createBatchWorker(this.connection, this.prefix, this.portal, this.opts.lanes ?? 4, executor, this.opts.queue ?? {});
      this.worker.on("error", (e) => this.opts.logger?.warn({ err: e.message }, "b24 worker error"));
      await this.worker.waitUntilReady();
    }
    // Safety net for a missed event (QueueEvents reconnect): look at long-waiting jobs directly.
    this.sweepTimer = setInterval(() => void this.sweep(), 5000);
    this.sweepTimer.unref();
  }

  /** Runs one method; resolves with its `result`, rejects with a B24Error subclass. */
  async call<T = unknown>(method: string, params: Record<string, unknown> = {}, opts: SubmitOptions = {}): Promise<T> {
    const r = await this.chain([{ name: "c", method, params }], opts);
    const o = r.c!;
    if (!o.ok) throw o.error;
    return o.result as T;
  }

  /**
   * Runs commands that must travel in ONE batch (later ones refer to earlier ones by `$result[name]`).
   * Resolves with every command's outcome; never rejects for a Bitrix24 error of a single command.
   */
  async chain(commands: ChainCommand[], opts: SubmitOptions = {}): Promise<ChainResult> {
    if (this.closed) throw new B24ClientClosedError();
    const entry: Entry = { id: opts.id ?? randomUUID(), commands };
    validateEntry(entry, Math.min(50, this.opts.batch?.maxCommands ?? 50));
    await this.ready;
    return new Promise<ChainResult>((resolve, reject) => {
      this.addWaiter(entry.id, { resolve, reject });
      // already submitted from this process: wait for the same outcome instead of sending twice
      if (this.submitted.has(entry.id)) return;
      this.submitted.add(entry.id);
      this.batcher.add(entry);
    });
  }

  /** Batches in this portal's queue by state (console: queue depth and batch rate). */
  async queueCounts(): Promise<{ waiting: number; active: number; delayed: number; completed: number; failed: number }> {
    const c = await this.queue.getJobCounts("waiting", "active", "delayed", "completed", "failed");
    return { waiting: c.waiting ?? 0, active: c.active ?? 0, delayed: c.delayed ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0 };
  }

  /**
   * Resume after a restart: the outcome of an entry submitted earlier (by any process) with this id,
   * waiting for it if its batch is still queued; undefined if no such entry is known.
   */
  async result(entryId: string): Promise<ChainResult | undefined> {
    await this.ready;
    const jobId = await this.redis.get(this.entryKey(entryId));
    if (!jobId) return undefined;
    return new Promise<ChainResult | undefined>((resolve, reject) => {
      const w: Waiter = { resolve, reject };
      this.addWaiter(entryId, w);
      this.watch(jobId, [entryId]);
      void this.checkJob(jobId).then(async () => {
        const st = await finishedBatch(this.queue, jobId);
        const list = this.waiters.get(entryId);
        if (st.missing && list?.includes(w)) {
          // claimed by a batch that never reached the queue (its process died): unknown, submit again
          list.splice(list.indexOf(w), 1);
          if (list.length === 0) {
            this.waiters.delete(entryId);
            this.jobEntries.get(jobId)?.entries.delete(entryId);
          }
          resolve(undefined);
        }
      });
    });
  }

  /**
   * Stops accepting commands, flushes the window and waits for the enqueues. The worker gets
   * `graceMs` (default 10 s) to finish its active batches; after that (or at once with `force`) they
   * are abandoned and another worker takes them over (re-run as ambiguous, see crm-queue.md).
   */
  async close(opts: { force?: boolean; graceMs?: number } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.batcher.flush();
    await Promise.allSettled([...this.inflightEnqueues]);
    await this.ready.catch(() => {});
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.worker) {
      if (opts.force) {
        this.abort.abort();
        await this.worker.close(true).catch(() => {});
      } else {
        let timer: NodeJS.Timeout | undefined;
        const graceful = this.worker.close().catch(() => {});
        const expired = new Promise<"expired">((r) => (timer = setTimeout(() => r("expired"), opts.graceMs ?? 10_000)));
        if ((await Promise.race([graceful, expired])) === "expired") {
          this.abort.abort();
          await this.worker.close(true).catch(() => {});
        }
        clearTimeout(timer);
      }
    }
    this.abort.abort();
    this.limiter.close();
    await this.events.close().catch(() => {});
    await this.queue.close().catch(() => {});
    await this.opts.auth.close?.();
    this.transport.close();
    this.redis.disconnect();
    for (const [id, list] of this.waiters) for (const w of list) w.reject(new B24ClientClosedError(`closed while entry ${id} was waiting`));
    this.waiters.clear();
  }

  /**
   * One request that cannot travel in a batch (a record upload to the uploadUrl Bitrix24 handed
   * out): the portal counts it in the same bucket, so it takes a slot of the shared limiter first,
   * and a 503 QUERY_LIMIT_EXCEEDED resyncs the limiter and waits for the next slot.
   */
  async outsideBatch<T>(send: () => Promise<T>, attempts = 5): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await this.limiter.acquire(this.abort.signal);
      try {
        return await send();
      } catch (err) {
        if (!(err instanceof B24RateLimitError) || err instanceof B24OperatingLimitError || attempt >= attempts) throw err;
        await this.limiter.resync();
      }
    }
  }

  // ——— internals ———

  private entryKey(id: string): string {
    return `${this.prefix}:entry:${this.portal}:${id}`;
  }

  private track(p: Promise<void>): void {
    this.inflightEnqueues.add(p);
    void p.finally(() => this.inflightEnqueues.delete(p));
  }

  /** Claims each entry id for this batch (idempotency), then adds the job. */
  private async enqueue(batch: BatchPayload, entries: Entry[]): Promise<void> {
    try {
      const ttl = this.opts.queue?.keepResultsSec ?? 86_400;
      const pipe = this.redis.pipeline();
      for (const e of entries) pipe.set(this.entryKey(e.id), batch.id, "EX", ttl, "NX");
      for (const e of entries) pipe.get(this.entryKey(e.id));
      const res = (await pipe.exec()) ?? [];
      const fresh: Entry[] = [];
      const joined = new Map<string, string[]>();
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        const owner = res[entries.length + i]?.[1] as string | null;
        if (owner === batch.id || !owner) fresh.push(e);
        else {
          const st = await finishedBatch(this.queue, owner);
          if (st.missing) {
            await this.redis.set(this.entryKey(e.id), batch.id, "EX", ttl); // orphan pointer: its batch never made it
            fresh.push(e);
          } else joined.set(owner, [...(joined.get(owner) ?? []), e.id]);
        }
      }
      for (const [jobId, ids] of joined) {
        this.watch(jobId, ids);
        void this.checkJob(jobId);
      }
      if (fresh.length === 0) return;
      const payload = fresh.length === entries.length ? batch : { ...batch, commands: batch.commands.filter((c) => fresh.some((e) => e.id === c.entryId)) };
      this.watch(
        payload.id,
        fresh.map((e) => e.id),
      );
      await this.queue.add("batch", payload, batchJobOptions(payload, this.opts.queue ?? {}, this.opts.priority));
      void this.checkJob(payload.id); // completed before we listened? (another process's worker)
    } catch (err) {
      for (const e of entries) this.fail(e.id, err instanceof Error ? err : new Error(String(err)));
    }
  }

  private watch(jobId: string, entryIds: string[]): void {
    const w = this.jobEntries.get(jobId) ?? { entries: new Set<string>(), since: Date.now() };
    for (const id of entryIds) w.entries.add(id);
    this.jobEntries.set(jobId, w);
  }

  private async checkJob(jobId: string, failedReason?: string): Promise<void> {
    if (!this.jobEntries.has(jobId)) return;
    try {
      const st = await finishedBatch(this.queue, jobId);
      if (st.result) await this.settleJob(jobId, st.result, undefined);
      else if (st.failed || (failedReason && st.job && (await st.job.isFailed()))) await this.settleJob(jobId, undefined, st.failed ?? failedReason);
    } catch {
      /* the sweep will look again */
    }
  }

  private async settleJob(jobId: string, rv: BatchJobResult | undefined, failed: string | undefined): Promise<void> {
    const w = this.jobEntries.get(jobId);
    if (!w) return;
    this.jobEntries.delete(jobId);
    this.batcher.poke();
    let data: BatchPayload | undefined;
    try {
      data = (await finishedBatch(this.queue, jobId)).job?.data;
    } catch {
      /* fall through */
    }
    for (const entryId of w.entries) {
      if (failed || !rv || !data) {
        this.fail(entryId, new B24ServerError({ code: "BATCH_JOB_FAILED", description: failed ?? "batch job vanished", maybeExecuted: true }));
        continue;
      }
      const out: ChainResult = {};
      for (const c of data.commands) {
        if (c.entryId !== entryId) continue;
        const o: CommandOutcome | undefined = rv.outcomes[c.key];
        out[c.name] = !o
          ? { ok: false, error: new B24ServerError({ code: "MISSING_RESULT", description: `no outcome for ${c.key}`, maybeExecuted: true }) }
          : o.ok
            ? o
            : { ok: false, error: errorFromJSON(o.error) };
      }
      const list = this.waiters.get(entryId) ?? [];
      this.waiters.delete(entryId);
      this.submitted.delete(entryId);
      for (const w of list) w.resolve(out);
    }
  }

  private fail(entryId: string, err: Error): void {
    const list = this.waiters.get(entryId) ?? [];
    this.waiters.delete(entryId);
    this.submitted.delete(entryId);
    for (const w of list) w.reject(err);
  }

  private addWaiter(entryId: string, w: Waiter): void {
    const list = this.waiters.get(entryId);
    if (list) list.push(w);
    else this.waiters.set(entryId, [w]);
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    let n = 0;
    for (const [jobId, w] of this.jobEntries) {
      if (now - w.since < 5000) continue;
      if (++n > 200) break;
      await this.checkJob(jobId);
    }
  }
}
