/**
 * Sends one batch until every command in it has a final outcome: waits for the shared limiter and
 * the operating-time tracker, authenticates, posts, maps `result` / `result_error` back to each
 * command, and re-sends only the commands that are still pending (resolving their `$result[…]`
 * references to commands that already succeeded). Retrying follows retry-policy.ts.
 *
 * Idempotency: once an attempt failed in a way that may have executed on the portal (timeout, reset,
 * 5xx) — or the job is being re-run after a worker died — the batch is "ambiguous". Then a
 * `telephony.externalCall.finish` answered "Call is not found (call should be registered prior to
 * finishing" is verified with crm.activity.list filter ORIGIN_ID=VI_<CALL_ID>; if the activity exists
 * the finish already happened and the command succeeds as `alreadyFinished`. Registers are safe to
 * re-send because every register carries its own EXTERNAL_CALL_ID (Bitrix24 de-duplicates on it).
 */
import { resolveRefs } from "./batch-refs.js";
import type { BatchCommand, BatchPayload } from "./batcher.js";
import type { B24AuthMode, PreparedAuth } from "./auth/types.js";
import { B24Error, B24OperatingLimitError, B24RateLimitError, B24ServerError, B24TokenExpiredError, classifyB24Error, isRetryable, type SerializedB24Error } from "./errors.js";
import type { RedisLimiter } from "./limiter.js";
import { sleep } from "./limiter.js";
import type { OperatingTracker } from "./operating.js";
import { encodeCommand } from "./php-query.js";
import type { RetryPolicy } from "./retry-policy.js";
import type { B24Envelope, B24Time, Transport } from "./transport.js";

export type CommandOutcome = { ok: true; result: unknown; total?: number; next?: number; alreadyFinished?: boolean } | { ok: false; error: SerializedB24Error };

export interface BatchState {
  outcomes: Record<string, CommandOutcome>;
  /** An earlier attempt may have executed on the portal. */
  ambiguous: boolean;
  /** Number of HTTP attempts so far (all lanes, all restarts). */
  attempts: number;
}

export interface ExecutorDeps {
  auth: B24AuthMode;
  transport: Transport;
  limiter: RedisLimiter;
  operating: OperatingTracker;
  retry: RetryPolicy;
  timeoutMs: number;
  signal?: AbortSignal;
  log?: (msg: string, data?: Record<string, unknown>) => void;
}

interface BatchResultBody {
  result?: Record<string, unknown> | unknown[];
  result_error?: Record<string, { error?: string; error_description?: string }> | unknown[];
  result_total?: Record<string, number> | unknown[];
  result_next?: Record<string, number> | unknown[];
  result_time?: Record<string, B24Time> | unknown[];
}

const FINISH = "telephony.externalcall.finish";
const NOT_FOUND = "Call is not found";

/** PHP empty arrays arrive as [] instead of {}; numeric keys as lists. */
function asMap<T>(v: unknown): Record<string, T> {
  if (!v || typeof v !== "object") return {};
  if (Array.isArray(v)) return Object.fromEntries(v.map((x, i) => [String(i), x as T]));
  return v as Record<string, T>;
}

export class BatchExecutor {
  constructor(private readonly d: ExecutorDeps) {}

  /** One REST request through limiter, operating tracker and auth (with one renewal). */
  async request(method: string, body: Record<string, unknown>, methodsForBudget: string[] = [method]): Promise<B24Envelope> {
    const wait = await this.d.operating.delayFor(methodsForBudget);
    if (wait > 0) await sleep(wait, this.d.signal);
    await this.d.limiter.acquire(this.d.signal);
    let prepared: PreparedAuth = await this.d.auth.prepare(method);
    for (let renewed = false; ; renewed = true) {
      try {
        return await this.d.transport.post({ url: prepared.url, body: { ...body, ...prepared.body }, headers: prepared.headers, timeoutMs: this.d.timeoutMs, method });
      } catch (err) {
        if (err instanceof B24TokenExpiredError && this.d.auth.renew && !renewed) {
          await this.d.auth.renew(prepared); // concurrent failures share one renewal
          prepared = await this.d.auth.prepare(method);
          await this.d.limiter.acquire(this.d.signal);
          continue;
        }
        if (err instanceof B24OperatingLimitError) await this.d.operating.block(methodsForBudget);
        else if (err instanceof B24RateLimitError) await this.d.limiter.resync();
        throw err;
      }
    }
  }

  async run(batch: BatchPayload, state: BatchState, persist: (s: BatchState) => Promise<void>): Promise<Record<string, CommandOutcome>> {
    const started = Date.now();
    let failures = 0;
    for (;;) {
      const pending = batch.commands.filter((c) => !state.outcomes[c.key]);
      if (pending.length === 0) return state.outcomes;
      const known = new Map<string, unknown>();
      for (const [k, o] of Object.entries(state.outcomes)) if (o.ok) known.set(k, o.result);
      const resolved = new Map(pending.map((c) => [c.key, resolveRefs(c.params, known)]));
      const cmd: Record<string, string> = {};
      for (const c of pending) cmd[c.key] = encodeCommand(c.method, resolved.get(c.key)!);
      const methods = [...new Set(pending.map((c) => c.method.toLowerCase()))];

      let failure: B24Error | undefined;
      state.attempts++;
      try {
        const env = await this.request("batch", { halt: 0, cmd }, ["batch", ...methods]);
        failure = await this.apply(env, pending, resolved, state);
      } catch (err) {
        const e = err instanceof B24Error ? err : new B24ServerError({ code: "UNEXPECTED", description: String((err as Error)?.message ?? err), maybeExecuted: true, cause: err });
        if (e.maybeExecuted) state.ambiguous = true;
        failure = e;
      }
      await persist(state);
      if (!failure) continue;
      failures++;
      const decision = this.d.retry.decide(failure, failures, Date.now() - started);
      if (!decision.retry) {
        for (const c of batch.commands) if (!state.outcomes[c.key]) state.outcomes[c.key] = { ok: false, error: { ...failure.toJSON(), method: c.method } };
        await persist(state);
        return state.outcomes;
      }
      this.d.log?.("batch retry", { batch: batch.id, code: failure.code, attempt: failures, delayMs: decision.delayMs, pending: pending.length });
      await sleep(decision.delayMs, this.d.signal);
      if (this.d.signal?.aborted) throw failure;
    }
  }

  /** Maps one batch answer onto the commands; returns a retryable failure if some commands must be re-sent. */
  private async apply(env: B24Envelope, pending: BatchCommand[], resolved: Map<string, Record<string, unknown>>, state: BatchState): Promise<B24Error | undefined> {
    const body = (env.result ?? {}) as BatchResultBody;
    const results = asMap<unknown>(body.result);
    const errors = asMap<{ error?: string; error_description?: string }>(body.result_error);
    const totals = asMap<number>(body.result_total);
    const nexts = asMap<number>(body.result_next);
    const times = asMap<B24Time>(body.result_time);
    await this.d.operating.record([["batch", env.time], ...pending.map((c): [string, B24Time | undefined] => [c.method, times[c.key]])]);

    let retryable: B24Error | undefined;
    const blocked: string[] = [];
    const toVerify: Array<{ c: BatchCommand; callId: string; error: B24Error }> = [];
    for (const c of pending) {
      const er = errors[c.key];
      if (er) {
        const e = classifyB24Error(String(er.error ?? ""), String(er.error_description ?? ""), 0, c.method);
        if (isRetryable(e) || e instanceof B24TokenExpiredError) {
          if (e instanceof B24OperatingLimitError) blocked.push(c.method);
          if (e.maybeExecuted) state.ambiguous = true;
          retryable ??= e;
          continue;
        }
        const callId = resolved.get(c.key)?.CALL_ID;
        if (state.ambiguous && c.method.toLowerCase() === FINISH && e.description.startsWith(NOT_FOUND) && typeof callId === "string") {
          toVerify.push({ c, callId, error: e });
          continue;
        }
        state.outcomes[c.key] = { ok: false, error: e.toJSON() };
      } else if (c.key in results) {
        const o: CommandOutcome = { ok: true, result: results[c.key] };
        if (totals[c.key] !== undefined) o.total = totals[c.key];
        if (nexts[c.key] !== undefined) o.next = nexts[c.key];
        state.outcomes[c.key] = o;
      } else {
        retryable ??= new B24ServerError({ code: "MISSING_RESULT", description: `no result for ${c.key}`, method: c.method, maybeExecuted: true });
        state.ambiguous = true;
      }
    }
    if (toVerify.length) {
      const finished = await this.finishedBefore(toVerify.map((v) => v.callId));
      for (const v of toVerify) {
        const act = finished.get(v.callId);
        state.outcomes[v.c.key] =
          act === undefined
            ? { ok: false, error: v.error.toJSON() }
            : { ok: true, result: { CALL_ID: v.callId, ALREADY_FINISHED: true, CRM_ACTIVITY_ID: act }, alreadyFinished: true };
      }
    }
    if (blocked.length) await this.d.operating.block(blocked);
    return retryable;
  }

  /**
   * Which of these calls did an earlier (lost) attempt already finish? One verification batch per 25
   * calls, two read-only probes each:
   *   - crm.activity.list filter ORIGIN_ID=VI_<CALL_ID>: the call's CRM activity (only when the call
   *     was bound to a CRM entity);
   *   - telephony.externalCall.attachRecord with CALL_ID only: Bitrix24 first looks the call up in the
   *     statistics table that finish writes ("Call is not found in the statistic table…" = not
   *     finished), then fails on the missing file parameters — so it never attaches anything.
   * Returns CALL_ID → CRM activity id (null when finished without an activity) for finished calls.
   */
  private async finishedBefore(callIds: string[]): Promise<Map<string, number | null>> {
    const out = new Map<string, number | null>();
    for (let i = 0; i < callIds.length; i += 25) {
      const chunk = callIds.slice(i, i + 25);
      const cmd: Record<string, string> = {};
      chunk.forEach((id, k) => {
        cmd[`a${k}`] = encodeCommand("crm.activity.list", { filter: { ORIGIN_ID: `VI_${id}` }, select: ["ID"] });
        cmd[`s${k}`] = encodeCommand("telephony.externalcall.attachRecord", { CALL_ID: id });
      });
      for (let attempt = 1; ; attempt++) {
        try {
          const env = await this.request("batch", { halt: 0, cmd }, ["batch", "crm.activity.list", "telephony.externalcall.attachrecord"]);
          const body = (env.result ?? {}) as BatchResultBody;
          const results = asMap<unknown>(body.result);
          const errors = asMap<{ error?: string; error_description?: string }>(body.result_error);
          chunk.forEach((id, k) => {
            const acts = results[`a${k}`];
            const first = Array.isArray(acts) ? (acts[0] as { ID?: unknown } | undefined) : undefined;
            if (first) return void out.set(id, Number(first.ID));
            const probe = errors[`s${k}`];
            const notInStats = probe && String(probe.error_description ?? "").startsWith("Call is not found in the statistic table");
            if ((probe && !notInStats && !isRetryable(classifyB24Error(String(probe.error ?? ""), "", 0))) || (!probe && `s${k}` in results)) out.set(id, null);
          });
          break;
        } catch (err) {
          const d = this.d.retry.decide(err, attempt, 0);
          if (!d.retry) break;
          await sleep(d.delayMs, this.d.signal);
        }
      }
    }
    return out;
  }
}
