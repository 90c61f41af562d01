import type { Redis } from "ioredis";

/**
 * The journal: every call's outcome, kept durably in Redis. /status, error statistics and
 * reprocessing read it. No call may vanish silently: a call that could not be delivered is
 * marked `failed` with its reason and listed in the failed index until it is reprocessed.
 *
 * Keys (P = prefix):
 *   P:journal:call:<key>          HASH  summary fields (see CallSummary)
 *   P:journal:call:<key>:entries  LIST  JSON entries: requests, results, typed errors, notes
 *   P:journal:by-time             ZSET  call key → first seen (ms)
 *   P:journal:failed              ZSET  call key → failed at (ms)
 *   P:journal:by-crm:<CALL_ID>    STRING  call key of a Bitrix24 CALL_ID (the b24-app's call card asks by it)
 *   P:journal:errors:<hour>       HASH  error type → count, per UTC hour (error statistics)
 */
/** `reprocessed`: put right by a reprocessing run after the live pass missed or got it wrong. */
export const CALL_OUTCOME_STATUSES = ["in_progress", "delivered", "failed", "cancelled", "skipped", "reprocessed"] as const;
export type CallOutcomeStatus = (typeof CALL_OUTCOME_STATUSES)[number];

export function isCallOutcomeStatus(value: unknown): value is CallOutcomeStatus {
  return CALL_OUTCOME_STATUSES.some((s) => s === value);
}

export interface CallSummary {
  callKey: string;
  status: CallOutcomeStatus;
  firstSeenAt: number;
  updatedAt: number;
  direction?: string;
  clientNumber?: string;
  lineNumber?: string;
  /** "yes" when the call was started from the CRM (click-to-call): outbound, registered by the portal. */
  clickToCall?: string;
  /** Bitrix24 CALL_ID. */
  crmCallId?: string;
  activityId?: string;
  entityType?: string;
  entityId?: string;
  responsibleUserId?: string;
  statusCode?: string;
  durationSec?: string;
  recordFile?: string;
  /** Why the call failed / was skipped (human text). */
  reason?: string;
  /** Last typed error name (e.g. B24BusinessError, HookTimeoutError). */
  lastErrorType?: string;
  reprocessCount?: string;
  /**
   * Set by reprocessing when the live pass was not right: `failed` (journalled as failed),
   * `unseen` (only Asterisk's CEL had the call), `wrong` (in the CRM, but without its record or
   * with another responsible). Kept after the fix: the live error rate counts it.
   */
  liveResult?: "failed" | "unseen" | "wrong";
  /** Last reprocessing verdict: `fine`, `fixed`, or `still_wrong` (with `reason`). */
  verify?: "fine" | "fixed" | "still_wrong";
  /** Id of the last reprocessing run that looked at the call. */
  reprocessRun?: string;
}

export interface JournalEntry {
  at: number;
  kind: "request" | "result" | "error" | "note" | "stage";
  stage?: string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { type: string; message: string };
  text?: string;
  /** `warn`: something an administrator should act on (a call that did not land, and why). */
  level?: "warn";
}

export interface JournalOptions {
  /** How long a call's journal is kept (ms). */
  retentionMs: number;
  /** At most this many entries per call (oldest dropped). */
  maxEntriesPerCall: number;
}

const DEFAULTS: JournalOptions = { retentionMs: 30 * 24 * 3600_000, maxEntriesPerCall: 500 };

function hourKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13); // 2026-11-21T10
}

export class Journal {
  readonly #options: JournalOptions;

  constructor(
    readonly redis: Redis,
    readonly prefix: string,
    options: Partial<JournalOptions> = {},
  ) {
    this.#options = { ...DEFAULTS, ...options };
  }

  #call(key: string): string {
    return `${this.prefix}:journal:call:${key}`;
  }
  #entries(key: string): string {
    return `${this.prefix}:journal:call:${key}:entries`;
  }
  #byCrm(crmCallId: string): string {
    return `${this.prefix}:journal:by-crm:${crmCallId}`;
  }
  get #byTime(): string {
    return `${this.prefix}:journal:by-time`;
  }
  get #failed(): string {
    return `${this.prefix}:journal:failed`;
  }

  /** Creates the call's summary if new, then merges `fields` into it. */
  async update(callKey: string, fields: Partial<Omit<CallSummary, "callKey">>, now = Date.now()): Promise<void> {
    const ttlS = Math.ceil(this.#options.retentionMs / 1000);
    const flat: Record<string, string> = { callKey, updatedAt: String(now) };
    for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null) flat[k] = String(v);
    const multi = this.redis
      .multi()
      .hsetnx(this.#call(callKey), "firstSeenAt", String(now))
      .hsetnx(this.#call(callKey), "status", "in_progress")
      .hset(this.#call(callKey), flat)
      .expire(this.#call(callKey), ttlS)
      .zadd(this.#byTime, "NX", now, callKey);
    if (fields.crmCallId) multi.set(this.#byCrm(fields.crmCallId), callKey, "EX", ttlS);
    if (fields.status === "failed") multi.zadd(this.#failed, now, callKey);
    else if (fields.status !== undefined) multi.zrem(this.#failed, callKey);
    await multi.exec();
  }

  /** Appends an entry; an error entry also counts in the error statistics. */
  async record(callKey: string, entry: Omit<JournalEntry, "at"> & { at?: number }): Promise<void> {
    const at = entry.at ?? Date.now();
    const full: JournalEntry = { ...entry, at };
    const ttlS = Math.ceil(this.#options.retentionMs / 1000);
    const multi = this.redis
      .multi()
      .rpush(this.#entries(callKey), JSON.stringify(full))
      .ltrim(this.#entries(callKey), -this.#options.maxEntriesPerCall, -1)
      .expire(this.#entries(callKey), ttlS);
    if (full.kind === "error" && full.error) {
      const statsKey = `${this.prefix}:journal:errors:${hourKey(at)}`;
      multi.hincrby(statsKey, full.error.type, 1).expire(statsKey, ttlS);
      multi.hset(this.#call(callKey), "lastErrorType", full.error.type);
    }
    await multi.exec();
  }

  /** Marks the call failed with a reason; it stays in the failed index until reprocessed. */
  async fail(callKey: string, reason: string, error?: { type: string; message: string }, now = Date.now()): Promise<void> {
    if (error) await this.record(callKey, { kind: "error", error, at: now });
    await this.update(callKey, { status: "failed", reason }, now);
  }

  async get(callKey: string): Promise<{ summary: CallSummary; entries: JournalEntry[] } | undefined> {
    const [summary, entries] = await Promise.all([this.redis.hgetall(this.#call(callKey)), this.redis.lrange(this.#entries(callKey), 0, -1)]);
    if (!summary || Object.keys(summary).length === 0) return undefined;
    return { summary: toSummary(summary), entries: entries.map((e) => JSON.parse(e) as JournalEntry) };
  }

  /** The call's summary alone (no entries), or undefined when the journal never heard of it. */
  async summary(callKey: string): Promise<CallSummary | undefined> {
    const h = await this.redis.hgetall(this.#call(callKey));
    return h && Object.keys(h).length > 0 ? toSummary(h) : undefined;
  }

  /** Every failed call key with its failure time (ms), oldest first. */
  async failedKeys(): Promise<Array<{ callKey: string; at: number }>> {
    const flat = await this.redis.zrange(this.#failed, "0", "-1", "WITHSCORES");
    const out: Array<{ callKey: string; at: number }> = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ callKey: flat[i]!, at: Number(flat[i + 1]) });
    return out;
  }

  /** The call key that registered Bitrix24 CALL_ID `crmCallId`, if the journal still has it. */
  async byCrmCallId(crmCallId: string): Promise<string | undefined> {
    return (await this.redis.get(this.#byCrm(crmCallId))) ?? undefined;
  }

  /**
   * Calls first seen in [fromMs, toMs], newest first, optionally filtered (see CallSearch).
   * With a filter, up to `scanLimit` (10 000) calls of the window are looked at.
   */
  async list(opts: CallSearch = {}): Promise<CallSummary[]> {
    const filter = callFilter(opts);
    const keys = await this.redis.zrevrangebyscore(
      this.#byTime,
      String(opts.toMs ?? "+inf"),
      String(opts.fromMs ?? "-inf"),
      "LIMIT",
      "0",
      String(filter ? (opts.scanLimit ?? 10_000) : (opts.limit ?? 100)),
    );
    const rows = await this.#summaries(keys);
    return (filter ? rows.filter(filter) : rows).slice(0, opts.limit ?? 100);
  }

  /** Error counts by type per UTC hour, oldest first: the last `hours` hours including the current one. */
  async errorBuckets(hours = 24, now = Date.now()): Promise<ErrorBucket[]> {
    const starts: number[] = [];
    const current = Math.floor(now / 3600_000) * 3600_000;
    for (let h = hours - 1; h >= 0; h--) starts.push(current - h * 3600_000);
    const multi = this.redis.multi();
    for (const start of starts) multi.hgetall(`${this.prefix}:journal:errors:${hourKey(start)}`);
    const res = (await multi.exec()) ?? [];
    return starts.map((start, i) => {
      const byType: Record<string, number> = {};
      let total = 0;
      for (const [type, count] of Object.entries((res[i]?.[1] ?? {}) as Record<string, string>)) {
        byType[type] = Number(count);
        total += Number(count);
      }
      return { start, total, byType };
    });
  }

  /** Failed calls, oldest failure first (what reprocessing works through). */
  async failed(limit = 100): Promise<CallSummary[]> {
    return this.#summaries(await this.redis.zrange(this.#failed, "0", String(limit - 1)));
  }

  async failedCount(): Promise<number> {
    return this.redis.zcard(this.#failed);
  }

  /** Error counts by type over the last `hours` hours (including the current one). */
  async errorStats(hours = 24, now = Date.now()): Promise<Record<string, number>> {
    const multi = this.redis.multi();
    for (let h = 0; h < hours; h++) multi.hgetall(`${this.prefix}:journal:errors:${hourKey(now - h * 3600_000)}`);
    const res = (await multi.exec()) ?? [];
    const out: Record<string, number> = {};
    for (const [, value] of res) {
      for (const [type, count] of Object.entries((value ?? {}) as Record<string, string>)) out[type] = (out[type] ?? 0) + Number(count);
    }
    return out;
  }

  /** Error counts by type for each of the last `hours` UTC hours, oldest first (`start` = hour start, ms). */
  async errorsByHour(hours: number, now = Date.now()): Promise<Array<{ start: number; byType: Record<string, number> }>> {
    const first = Math.floor(now / 3600_000) * 3600_000 - (hours - 1) * 3600_000;
    const multi = this.redis.multi();
    for (let h = 0; h < hours; h++) multi.hgetall(`${this.prefix}:journal:errors:${hourKey(first + h * 3600_000)}`);
    const res = (await multi.exec()) ?? [];
    return res.map(([, value], h) => {
      const byType: Record<string, number> = {};
      for (const [type, count] of Object.entries((value ?? {}) as Record<string, string>)) byType[type] = Number(count);
      return { start: first + h * 3600_000, byType };
    });
  }

  /** Status and reprocessing fields of every call first seen in [fromMs, toMs] (error rates). */
  async outcomes(fromMs: number, toMs = Date.now()): Promise<Array<Pick<CallSummary, "status" | "liveResult" | "verify">>> {
    const keys = await this.redis.zrangebyscore(this.#byTime, String(fromMs), String(toMs));
    const out: Array<Pick<CallSummary, "status" | "liveResult" | "verify">> = [];
    for (let i = 0; i < keys.length; i += 1000) {
      const multi = this.redis.multi();
      for (const k of keys.slice(i, i + 1000)) multi.hmget(this.#call(k), "status", "liveResult", "verify");
      for (const [, v] of (await multi.exec()) ?? []) {
        const [status, liveResult, verify] = (v ?? []) as Array<string | null>;
        if (!status) continue;
        out.push({
          status: status as CallOutcomeStatus,
          ...(liveResult ? { liveResult: liveResult as CallSummary["liveResult"] } : {}),
          ...(verify ? { verify: verify as CallSummary["verify"] } : {}),
        });
      }
    }
    return out;
  }

  /** Counts by status over the calls first seen in the window. */
  async statusCounts(fromMs: number, toMs = Date.now()): Promise<Record<CallOutcomeStatus, number>> {
    const keys = await this.redis.zrangebyscore(this.#byTime, String(fromMs), String(toMs));
    const out: Record<CallOutcomeStatus, number> = { in_progress: 0, delivered: 0, failed: 0, cancelled: 0, skipped: 0, reprocessed: 0 };
    const multi = this.redis.multi();
    for (const k of keys) multi.hget(this.#call(k), "status");
    for (const [, status] of (await multi.exec()) ?? []) {
      if (typeof status === "string" && status in out) out[status as CallOutcomeStatus]++;
    }
    return out;
  }

  /** Drops index entries older than the retention (hashes expire by themselves). */
  async prune(now = Date.now()): Promise<number> {
    const cutoff = String(now - this.#options.retentionMs);
    const removed = await this.redis.zremrangebyscore(this.#byTime, "-inf", cutoff);
    await this.redis.zremrangebyscore(this.#failed, "-inf", cutoff);
    return removed;
  }

  async #summaries(keys: string[]): Promise<CallSummary[]> {
    if (keys.length === 0) return [];
    const multi = this.redis.multi();
    for (const k of keys) multi.hgetall(this.#call(k));
    const res = (await multi.exec()) ?? [];
    const out: CallSummary[] = [];
    for (const [, value] of res) {
      const v = value as Record<string, string> | null;
      if (v && Object.keys(v).length > 0) out.push(toSummary(v));
    }
    return out;
  }
}

/** Filters of `Journal.list` besides the time window. */
export interface CallSearch {
  fromMs?: number;
  toMs?: number;
  status?: CallOutcomeStatus;
  /** Any of these statuses. */
  statuses?: CallOutcomeStatus[];
  /** Digits that the client or line number contains (non-digits ignored: "+7 (900) 12" → "790012"). */
  number?: string;
  /** Bitrix24 user IDs: calls whose responsible is one of them. */
  responsibleUserIds?: string[];
  limit?: number;
  /** How many calls of the window a filtered search looks at (default 10 000). */
  scanLimit?: number;
}

export interface ErrorBucket {
  /** Start of the UTC hour (ms). */
  start: number;
  total: number;
  byType: Record<string, number>;
}

function callFilter(s: CallSearch): ((c: CallSummary) => boolean) | undefined {
  const statuses = [...(s.statuses ?? []), ...(s.status ? [s.status] : [])];
  const digits = (s.number ?? "").replace(/\D/g, "");
  const users = s.responsibleUserIds;
  if (statuses.length === 0 && digits === "" && users === undefined) return undefined;
  return (c) =>
    (statuses.length === 0 || statuses.includes(c.status)) &&
    (digits === "" || [c.clientNumber, c.lineNumber].some((n) => (n ?? "").replace(/\D/g, "").includes(digits))) &&
    (users === undefined || (c.responsibleUserId !== undefined && users.includes(c.responsibleUserId)));
}

function toSummary(h: Record<string, string>): CallSummary {
  return {
    ...h,
    callKey: h.callKey ?? "",
    status: (h.status as CallOutcomeStatus) ?? "in_progress",
    firstSeenAt: Number(h.firstSeenAt ?? 0),
    updatedAt: Number(h.updatedAt ?? 0),
  };
}
