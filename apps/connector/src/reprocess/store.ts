/**
 * Reprocessing runs, durable in Redis (P = connector prefix):
 *
 *   P:reprocess:runs               ZSET  run id → created at (ms); the newest `keepRuns` are kept
 *   P:reprocess:run:<id>           STRING RunSummary JSON
 *   P:reprocess:run:<id>:calls     HASH  call key → "fine" | CallCheck JSON (what the run did per call;
 *                                        a resumed run skips the calls already here)
 *   P:reprocess:run:<id>:cancel    STRING set when a cancel was asked for
 *   P:reprocess:lock               STRING id of the run holding "one run at a time" (expires unless renewed)
 *
 * Every key of a run expires `retentionDays` after its last write, and runs beyond `keepRuns` are
 * dropped with their per-call results.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { CallCheck, RunCounts, RunParams, RunSummary } from "./types.js";

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export function emptyCounts(): RunCounts {
  return { checked: 0, alreadyFine: 0, fixed: 0, stillWrong: 0 };
}

export class RunStore {
  readonly #ttlS: number;

  constructor(
    readonly redis: Redis,
    readonly prefix: string,
    readonly keepRuns = 60,
    retentionDays = 90,
  ) {
    this.#ttlS = retentionDays * 24 * 3600;
  }

  #run(id: string): string {
    return `${this.prefix}:reprocess:run:${id}`;
  }
  get #runs(): string {
    return `${this.prefix}:reprocess:runs`;
  }
  get lockKey(): string {
    return `${this.prefix}:reprocess:lock`;
  }

  /** A new queued run. */
  async create(params: RunParams, now = Date.now()): Promise<RunSummary> {
    const id = `${new Date(now).toISOString().replace(/[-:]/g, "").slice(0, 15)}-${randomUUID().slice(0, 8)}`;
    const run: RunSummary = { id, status: "queued", params, startedAt: new Date(now).toISOString(), progress: { total: 0, done: 0, etaSeconds: 0 } };
    await this.redis.multi().set(this.#run(id), JSON.stringify(run), "EX", this.#ttlS).zadd(this.#runs, now, id).exec();
    await this.#trim();
    return run;
  }

  async get(id: string): Promise<RunSummary | undefined> {
    const raw = await this.redis.get(this.#run(id));
    return raw ? (JSON.parse(raw) as RunSummary) : undefined;
  }

  async save(run: RunSummary): Promise<void> {
    await this.redis.set(this.#run(run.id), JSON.stringify(run), "EX", this.#ttlS);
  }

  /** Merges `patch` into the stored run (the stored copy wins for what the patch does not name). */
  async patch(id: string, patch: Partial<RunSummary>): Promise<RunSummary | undefined> {
    const run = await this.get(id);
    if (!run) return undefined;
    const next = { ...run, ...patch };
    await this.save(next);
    return next;
  }

  /** Runs, newest first. */
  async list(limit = 100): Promise<RunSummary[]> {
    const ids = await this.redis.zrevrange(this.#runs, 0, limit - 1);
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => this.#run(id)));
    return raws.filter((r): r is string => !!r).map((r) => JSON.parse(r) as RunSummary);
  }

  async requestCancel(id: string): Promise<void> {
    await this.redis.set(`${this.#run(id)}:cancel`, "1", "EX", this.#ttlS);
  }

  async cancelRequested(id: string): Promise<boolean> {
    return (await this.redis.exists(`${this.#run(id)}:cancel`)) === 1;
  }

  /** Records what the run did for one call. */
  async saveCall(id: string, check: CallCheck): Promise<void> {
    const key = `${this.#run(id)}:calls`;
    const value = check.verdict === "fine" && !check.reason ? "fine" : JSON.stringify(check);
    await this.redis.multi().hset(key, check.callKey, value).expire(key, this.#ttlS).exec();
  }

  async callDone(id: string, callKey: string): Promise<boolean> {
    return (await this.redis.hexists(`${this.#run(id)}:calls`, callKey)) === 1;
  }

  /** Every call the run looked at: counts, and the calls that were not simply fine. */
  async calls(id: string): Promise<{ counts: RunCounts; listed: CallCheck[] }> {
    const counts = emptyCounts();
    const listed: CallCheck[] = [];
    const key = `${this.#run(id)}:calls`;
    let cursor = "0";
    do {
      const [next, flat] = await this.redis.hscan(key, cursor, "COUNT", 1000);
      cursor = next;
      for (let i = 1; i < flat.length; i += 2) {
        const v = flat[i]!;
        counts.checked++;
        if (v === "fine") {
          counts.alreadyFine++;
          continue;
        }
        const c = JSON.parse(v) as CallCheck;
        if (c.verdict === "fine") counts.alreadyFine++;
        else if (c.verdict === "fixed") counts.fixed++;
        else counts.stillWrong++;
        listed.push(c);
      }
    } while (cursor !== "0");
    listed.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    return { counts, listed };
  }

  /** One run at a time per connector prefix: true when `id` holds (or now took) the lock. */
  async lock(id: string, ttlMs: number): Promise<boolean> {
    const ok = await this.redis.set(this.lockKey, id, "PX", ttlMs, "NX");
    if (ok) return true;
    return (await this.redis.eval(RENEW, 1, this.lockKey, id, String(ttlMs))) === 1;
  }

  async unlock(id: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.lockKey, id);
  }

  async lockHolder(): Promise<string | null> {
    return this.redis.get(this.lockKey);
  }

  async #trim(): Promise<void> {
    const old = await this.redis.zrevrange(this.#runs, this.keepRuns, -1);
    if (old.length === 0) return;
    const multi = this.redis.multi().zrem(this.#runs, ...old);
    for (const id of old) multi.del(this.#run(id), `${this.#run(id)}:calls`, `${this.#run(id)}:cancel`);
    await multi.exec();
  }
}
