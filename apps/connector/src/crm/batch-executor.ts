/**
 * Sends one batch until every command in it has a final outcome: waits for the shared limiter and
 * the operating-time tracker, authenticates, posts, maps `result` / `result_error` back to each
 * command, and re-sends only the commands that are still pending (resolving their `$result[…]`
 * references to commands that already succeeded). Retrying follows retry-policy.ts.
 *
 * Idempotency (decision 0006): once an attempt failed in a way that may have executed on the portal
 * (timeout, reset, a 5xx without Bitrix24's error body) — or the job is re-run after a worker died —
 * the batch is "ambiguous". Then, before each re-send, the portal's state is read (portal-state.ts)
 * and every command whose effect is already there is settled from it instead of being sent again
 * (a finished call, an adopted CALL_ID, an attached record, an existing task). A finish answered
 * "Call is not found" is always checked against voximplant.statistic.get: a call the statistics hold
 * was finished (by a lost attempt), so the command succeeds with that row.
 */
import { resolveRefs } from "./batch-refs.js";
import type { BatchCommand, BatchPayload } from "./batcher.js";
import type { B24AuthMode, PreparedAuth } from "./auth/types.js";
import { B24Error, B24OperatingLimitError, B24RateLimitError, B24ServerError, B24TokenExpiredError, classifyB24Error, isRetryable, type SerializedB24Error } from "./errors.js";
import type { RedisLimiter } from "./limiter.js";
import { sleep } from "./limiter.js";
import type { OperatingTracker } from "./operating.js";
import { encodeCommand } from "./php-query.js";
import { stateCheck, type SentCommand, type SettledCommand } from "./portal-state.js";
import type { RetryPolicy } from "./retry-policy.js";
import type { B24Envelope, B24Time, Transport } from "./transport.js";

/** A command Bitrix24 ran (the same shape in a batch job's result and in what `chain` returns). */
export interface SucceededOutcome {
  ok: true;
  result: unknown;
  total?: number;
  next?: number;
  /** A finish whose call the portal's statistics already held (a lost earlier attempt). */
  alreadyFinished?: boolean;
  /** Not (re-)sent: the portal's state showed the effect of an earlier attempt (portal-state.ts, decision 0006). */
  fromPortalState?: string;
}

export type CommandOutcome = SucceededOutcome | { ok: false; error: SerializedB24Error };

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
      let pending = batch.commands.filter((c) => !state.outcomes[c.key]);
      if (pending.length === 0) return state.outcomes;
      let failure: B24Error | undefined;
      try {
        // A maybe-executed attempt before: what the portal already did is settled, not sent again.
        if (state.ambiguous && (await this.settleFromPortal(batch, pending, state)) > 0) {
          await persist(state);
          pending = batch.commands.filter((c) => !state.outcomes[c.key]);
          if (pending.length === 0) return state.outcomes;
        }
        const known = knownResults(state);
        const resolved = new Map(pending.map((c) => [c.key, resolveRefs(c.params, known)]));
        const cmd: Record<string, string> = {};
        for (const c of pending) cmd[c.key] = encodeCommand(c.method, resolved.get(c.key)!);
        const methods = [...new Set(pending.map((c) => c.method.toLowerCase()))];
        state.attempts++;
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
    const toVerify: Array<{ c: SentCommand; error: B24Error }> = [];
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
        if (c.method.toLowerCase() === FINISH && e.description.startsWith(NOT_FOUND)) {
          toVerify.push({ c: { ...c, params: resolved.get(c.key) ?? c.params }, error: e });
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
      // "Call is not found": finished by an attempt whose answer was lost? The statistics say.
      const settled = await this.readPortalState(toVerify.map((v) => v.c));
      for (const v of toVerify) {
        const s = settled.get(v.c.key);
        state.outcomes[v.c.key] = s ? settledOutcome(v.c, s) : { ok: false, error: v.error.toJSON() };
      }
    }
    if (blocked.length) await this.d.operating.block(blocked);
    return retryable;
  }

  /**
   * Settles the pending commands whose effect the portal already shows (portal-state.ts); returns
   * how many. Commands still referring to an unresolved `$result[…]` are not probed.
   */
  private async settleFromPortal(batch: BatchPayload, pending: BatchCommand[], state: BatchState): Promise<number> {
    let total = 0;
    // A settled command may resolve a later one's reference (register → finish($result[reg][CALL_ID])):
    // look again while rounds settle something.
    for (let left = pending; left.length > 0; left = left.filter((c) => !state.outcomes[c.key])) {
      const known = knownResults(state);
      const sent = left.map((c): SentCommand => ({ key: c.key, method: c.method, params: resolveRefs(c.params, known) }));
      const settled = await this.readPortalState(sent);
      for (const c of sent) {
        const s = settled.get(c.key);
        if (!s) continue;
        state.outcomes[c.key] = settledOutcome(c, s);
        this.d.log?.("batch command settled from the portal's state", { batch: batch.id, method: c.method, why: s.why });
      }
      if (settled.size === 0) break;
      total += settled.size;
    }
    return total;
  }

  /**
   * One read-only batch of probes (at most one per command, so ≤ 50). A transient failure throws
   * (the attempt is retried, probes first); a final one (a scope the credential lacks) settles
   * nothing, so the commands are sent as they would have been without the check.
   */
  private async readPortalState(commands: SentCommand[]): Promise<Map<string, SettledCommand>> {
    const check = stateCheck(commands);
    if (!check) return new Map();
    let env: B24Envelope;
    try {
      env = await this.request("batch", { halt: 0, cmd: check.probes }, ["batch", ...check.methods]);
    } catch (err) {
      if (isRetryable(err) || err instanceof B24TokenExpiredError) throw err;
      this.d.log?.("portal state not readable; re-sending unchecked", { code: (err as B24Error).code, methods: check.methods.join(",") });
      return new Map();
    }
    const body = (env.result ?? {}) as BatchResultBody;
    return check.settle(asMap<unknown>(body.result));
  }
}

function knownResults(state: BatchState): Map<string, unknown> {
  const known = new Map<string, unknown>();
  for (const [k, o] of Object.entries(state.outcomes)) if (o.ok) known.set(k, o.result);
  return known;
}

function settledOutcome(c: SentCommand, s: SettledCommand): CommandOutcome {
  return { ok: true, result: s.result, fromPortalState: s.why, ...(c.method.toLowerCase() === FINISH ? { alreadyFinished: true } : {}) };
}
