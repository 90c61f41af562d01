import { deflateSync, inflateSync } from "node:zlib";
import type { Redis } from "ioredis";

/**
 * Durable per-call state and stage outbox in Redis.
 *
 * The tracker is pure and runs in memory; after each AMI event the connector commits, in ONE
 * MULTI, the new state of every call that changed and the stage events the event produced.
 * So a process killed at any point either has the event's effects fully in Redis or not at all
 * (and then the reconciliation after reconnect closes what ended meanwhile).
 *
 * Keys (P = prefix):
 *   P:calls:active            SET    call keys that have tracker state
 *   P:call:<key>:state        STRING the call's tracker state (JSON)
 *   P:call:<key>:outbox       LIST   stage events (zlib-deflated JSON; plain JSON from older
 *                                   versions is still read), append-only while the call lives
 *   P:call:<key>:done         STRING how many outbox entries are fully handled
 *   P:calls:pending           ZSET   calls with unhandled stages, score = first pending time (ms)
 *   P:call:<key>:lock         STRING lease of the worker handling the call (SET NX PX)
 */
export interface CallChange {
  callKey: string;
  /** New tracker state of the call, or null when the tracker forgot it (call over). */
  state: unknown | null;
  /** Stage events to hand to the pipeline, in order. */
  stages: unknown[];
}

export interface PendingStage {
  index: number;
  stage: unknown;
}

/**
 * A stage event carries a snapshot of the whole call (≈ 4 KB of JSON with several legs; 8 or so
 * events a call), and a finished call's events stay a day: deflated they take ≈ 1/5 of that. A
 * zlib stream starts with 0x78 ("x"), which no JSON text does: entries older versions wrote as
 * plain JSON read back too.
 */
export function encodeStage(stage: unknown): Buffer {
  return deflateSync(JSON.stringify(stage));
}

export function decodeStage(row: Buffer): unknown {
  return JSON.parse((row[0] === 0x78 ? inflateSync(row) : row).toString("utf8"));
}

/** Outbox keys of a finished, fully handled call live this long (for inspection), then vanish. */
const FINISHED_TTL_S = 24 * 3600;

const RELEASE_IF_DONE = `
local len = redis.call('LLEN', KEYS[1])
local done = tonumber(redis.call('GET', KEYS[2]) or '0')
if redis.call('GET', KEYS[4]) == ARGV[2] then redis.call('DEL', KEYS[4]) end
if done >= len then
  redis.call('ZREM', KEYS[3], ARGV[1])
  return 1
end
return 0`;

const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

export class CallOutbox {
  constructor(
    readonly redis: Redis,
    readonly prefix: string,
  ) {}

  #k(callKey: string, suffix: string): string {
    return `${this.prefix}:call:${callKey}:${suffix}`;
  }
  get #active(): string {
    return `${this.prefix}:calls:active`;
  }
  get #pending(): string {
    return `${this.prefix}:calls:pending`;
  }

  /**
   * Atomically persists the changed call states and appends their stage events. `globals`
   * (small state that belongs to no call, e.g. pending originates) is written in the same MULTI.
   */
  async commit(changes: readonly CallChange[], now = Date.now(), globals?: unknown): Promise<void> {
    if (changes.length === 0 && globals === undefined) return;
    const multi = this.redis.multi();
    if (globals !== undefined) multi.set(`${this.prefix}:tracker:globals`, JSON.stringify(globals));
    for (const change of changes) {
      if (change.state === null) {
        multi.del(this.#k(change.callKey, "state"));
        multi.srem(this.#active, change.callKey);
      } else {
        multi.set(this.#k(change.callKey, "state"), JSON.stringify(change.state));
        multi.sadd(this.#active, change.callKey);
      }
      if (change.stages.length > 0) {
        multi.rpush(this.#k(change.callKey, "outbox"), ...change.stages.map(encodeStage));
        multi.zadd(this.#pending, "NX", now, change.callKey);
      }
    }
    await multi.exec();
  }

  /** Every call's persisted tracker state (used at start to resume calls in progress). */
  async loadActiveStates(): Promise<Map<string, unknown>> {
    const keys = await this.redis.smembers(this.#active);
    const out = new Map<string, unknown>();
    if (keys.length === 0) return out;
    const values = await this.redis.mget(keys.map((k) => this.#k(k, "state")));
    keys.forEach((key, i) => {
      const v = values[i];
      if (v != null) out.set(key, JSON.parse(v));
    });
    return out;
  }

  async loadGlobals(): Promise<unknown> {
    const raw = await this.redis.get(`${this.prefix}:tracker:globals`);
    return raw == null ? undefined : JSON.parse(raw);
  }

  /** Calls with unhandled stages, oldest first. */
  async pendingCalls(limit: number): Promise<string[]> {
    return this.redis.zrange(this.#pending, "0", String(limit - 1));
  }

  async pendingCount(): Promise<number> {
    return this.redis.zcard(this.#pending);
  }

  async tryLock(callKey: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.#k(callKey, "lock"), owner, "PX", ttlMs, "NX")) === "OK";
  }

  async renewLock(callKey: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(RENEW_LOCK, 1, this.#k(callKey, "lock"), owner, String(ttlMs))) === 1;
  }

  async unlock(callKey: string, owner: string): Promise<void> {
    await this.redis.eval(RELEASE_LOCK, 1, this.#k(callKey, "lock"), owner);
  }

  /**
   * Releases the lease and, when every stage is handled, takes the call off the pending set
   * (atomically, so a stage appended meanwhile is never missed). Returns true when drained.
   */
  async release(callKey: string, owner: string): Promise<boolean> {
    const drained =
      (await this.redis.eval(RELEASE_IF_DONE, 4, this.#k(callKey, "outbox"), this.#k(callKey, "done"), this.#pending, this.#k(callKey, "lock"), callKey, owner)) === 1;
    if (drained) {
      const isActive = await this.redis.sismember(this.#active, callKey);
      if (!isActive) {
        await this.redis.multi().expire(this.#k(callKey, "outbox"), FINISHED_TTL_S).expire(this.#k(callKey, "done"), FINISHED_TTL_S).exec();
      }
    }
    return drained;
  }

  /** Stages not yet handled, in order. */
  async readPending(callKey: string): Promise<PendingStage[]> {
    const done = Number((await this.redis.get(this.#k(callKey, "done"))) ?? "0");
    const rows = await this.redis.lrangeBuffer(this.#k(callKey, "outbox"), done, -1);
    return rows.map((row, i) => ({ index: done + i, stage: decodeStage(row) }));
  }

  /** Every stage of a call (handled or not), for inspection and reprocessing. */
  async readAll(callKey: string): Promise<unknown[]> {
    const rows = await this.redis.lrangeBuffer(this.#k(callKey, "outbox"), 0, -1);
    return rows.map(decodeStage);
  }

  /** The latest stage of a call (its snapshot is the newest the tracker made), or undefined. */
  async readLast(callKey: string): Promise<unknown> {
    const row = await this.redis.lindexBuffer(this.#k(callKey, "outbox"), -1);
    return row ? decodeStage(row) : undefined;
  }

  /** Marks stage `index` handled; only advances (a duplicate acknowledgement is harmless). */
  async markDone(callKey: string, index: number): Promise<void> {
    await this.redis.eval(
      `local d = tonumber(redis.call('GET', KEYS[1]) or '0') if d == tonumber(ARGV[1]) then redis.call('SET', KEYS[1], d + 1) end return 1`,
      1,
      this.#k(callKey, "done"),
      String(index),
    );
  }
}
