/**
 * Bitrix24's 30-minute de-duplication of `telephony.externalcall.register`.
 *
 * Before creating a call, Bitrix24 looks for an unfinished call of the same application with the
 * same USER_ID, number, TYPE and line registered in the last 30 minutes, and if it finds one it
 * returns THAT call's CALL_ID. Portals since 2026-03 also compare EXTERNAL_CALL_ID (we send one per
 * physical call), but older portals — many boxes — do not: a test phone (or a regular client)
 * calling the same manager twice while the first call is still open gets one CALL_ID for two
 * calls; the second finish then fails with "Call is not found" and a call is lost.
 *
 * So every CALL_ID we hold is claimed for the call that holds it (Redis, `P:crm-call:<CALL_ID>`).
 * A register that comes back with a CALL_ID another of our calls holds was de-duplicated: the
 * call does not take it, waits (its stages stay pending, nothing is sent meanwhile) until the
 * holder's finish closed that CALL_ID — or Bitrix24's window is over — and registers again
 * under a new request id, which then creates its own call.
 */
import type { Redis } from "ioredis";
import type { CrmCallState } from "./crm-state.js";

/** Bitrix24 de-duplicates against calls registered within this window. */
export const REGISTER_DEDUP_WINDOW_MS = 30 * 60_000;
/** How often a call that waits for a de-duplicating holder looks again. */
export const DEDUP_RECHECK_MS = 250;
/** A waiter whose turn to register again came but who never told the new CALL_ID: the next one goes after this. */
export const DEDUP_TURN_TIMEOUT_MS = 30_000;
const CLAIM_TTL_S = 24 * 3600;

export interface CrmCallHolder {
  callKey: string;
  /** When the holder got the CALL_ID (ms). */
  at: number;
  /** The holder's finish closed it (kept: a register answered just before that finish is still a duplicate). */
  finished?: boolean;
}

/** Which of our calls holds each Bitrix24 CALL_ID, until its finish. */
export class CrmCallIndex {
  constructor(
    readonly redis: Redis,
    readonly prefix: string,
  ) {}

  #key(crmCallId: string): string {
    return `${this.prefix}:crm-call:${crmCallId}`;
  }

  /** Claims the CALL_ID for `callKey` unless another call holds it; returns the holder. */
  async claim(crmCallId: string, callKey: string, now = Date.now()): Promise<CrmCallHolder> {
    const mine: CrmCallHolder = { callKey, at: now };
    const set = await this.redis.set(this.#key(crmCallId), JSON.stringify(mine), "EX", CLAIM_TTL_S, "NX");
    if (set === "OK") return mine;
    return (await this.holder(crmCallId)) ?? mine;
  }

  async holder(crmCallId: string): Promise<CrmCallHolder | undefined> {
    const raw = await this.redis.get(this.#key(crmCallId));
    return raw ? (JSON.parse(raw) as CrmCallHolder) : undefined;
  }

  /**
   * After the CALL_ID closed, the calls that waited for it register again one at a time: the first
   * to ask gets the turn (returned as holder); the others follow the CALL_ID it gets (successor).
   */
  async takeTurn(crmCallId: string, callKey: string, now = Date.now()): Promise<CrmCallHolder> {
    const mine: CrmCallHolder = { callKey, at: now };
    const key = `${this.#key(crmCallId)}:turn`;
    if ((await this.redis.set(key, JSON.stringify(mine), "EX", CLAIM_TTL_S, "NX")) === "OK") return mine;
    const raw = await this.redis.get(key);
    return raw ? (JSON.parse(raw) as CrmCallHolder) : mine;
  }

  /** The CALL_ID the next register with the same de-duplication key got after `crmCallId`. */
  async successor(crmCallId: string): Promise<string | undefined> {
    return (await this.redis.get(`${this.#key(crmCallId)}:next`)) ?? undefined;
  }

  async setSuccessor(crmCallId: string, next: string): Promise<void> {
    await this.redis.set(`${this.#key(crmCallId)}:next`, next, "EX", CLAIM_TTL_S);
  }

  /**
   * The CALL_ID was finished in Bitrix24: registers create new calls again. The claim stays (as
   * finished): a register Bitrix24 answered just before that finish, whose answer is read after
   * it, must still see that the CALL_ID was another call's.
   */
  async release(crmCallId: string, now = Date.now()): Promise<void> {
    const holder = await this.holder(crmCallId);
    if (!holder || holder.finished) return;
    await this.redis.set(this.#key(crmCallId), JSON.stringify({ ...holder, finished: true, at: now }), "EX", CLAIM_TTL_S);
  }
}

/** A stage that must wait (a de-duplicated register): retried after `retryAfterMs`, not an error. */
export class RegisterDeferredError extends Error {
  override readonly name = "RegisterDeferredError";
  constructor(
    message: string,
    readonly retryAfterMs = DEDUP_RECHECK_MS,
  ) {
    super(message);
  }
}

/** Request id of the call's next register: a new one after each de-duplicated answer. */
export function registerRequestId(baseId: string, crm: CrmCallState): string {
  const n = crm.registerDedup?.attempts ?? 0;
  return n === 0 ? baseId : `${baseId}:r${n}`;
}

/**
 * Before registering: throws RegisterDeferredError while the CALL_ID Bitrix24 would hand back
 * is still held by another of our calls (its finish not sent yet) and within the window. Once it
 * is closed, the waiters go one at a time (else all but one would be de-duplicated again onto
 * the first one's new CALL_ID): the others wait for the CALL_ID that one got.
 */
export async function waitOutDedup(index: CrmCallIndex, crm: CrmCallState, callKey: string, now = Date.now()): Promise<void> {
  for (let hop = 0; hop < 1000; hop++) {
    const d = crm.registerDedup;
    if (!d) return;
    const holder = await index.holder(d.crmCallId);
    const open = holder !== undefined && !holder.finished && holder.callKey === d.holder && now - holder.at < REGISTER_DEDUP_WINDOW_MS;
    if (open) throw new RegisterDeferredError(`register waits: Bitrix24 de-duplicated it onto ${d.crmCallId}, still open for call ${d.holder}`);
    const next = await index.successor(d.crmCallId);
    const nextHolder = next === undefined ? undefined : await index.holder(next);
    if (next !== undefined && nextHolder && nextHolder.callKey !== callKey) {
      crm.registerDedup = { ...d, crmCallId: next, holder: nextHolder.callKey, holderSince: nextHolder.at };
      continue;
    }
    const turn = await index.takeTurn(d.crmCallId, callKey, now);
    if (turn.callKey === callKey || now - turn.at >= DEDUP_TURN_TIMEOUT_MS) return;
    throw new RegisterDeferredError(`register waits: call ${turn.callKey} registers first after ${d.crmCallId} closed`);
  }
}

/**
 * After a register answered `crmCallId`: true when this call holds it now; false when another of
 * our calls does (the answer was de-duplicated; `crm.registerDedup` says what to wait for).
 */
export async function claimRegistered(index: CrmCallIndex, crm: CrmCallState, callKey: string, crmCallId: string, now = Date.now()): Promise<boolean> {
  const holder = await index.claim(crmCallId, callKey, now);
  const before = crm.registerDedup?.crmCallId;
  if (before !== undefined && before !== crmCallId) await index.setSuccessor(before, crmCallId);
  if (holder.callKey === callKey) {
    delete crm.registerDedup;
    return true;
  }
  crm.registerDedup = { crmCallId, holder: holder.callKey, attempts: (crm.registerDedup?.attempts ?? 0) + 1, holderSince: holder.at };
  return false;
}

/** What the pipeline hands in: the step's call, its CRM state and where to note and save it. */
export interface DedupStep {
  readonly callKey: string;
  readonly crm: CrmCallState;
  readonly deps: { crmState: { redis: Redis; prefix: string }; journal: { record(callKey: string, entry: { kind: "note"; text: string }): Promise<void> } };
  save(): Promise<void>;
}

const indexes = new WeakMap<object, CrmCallIndex>();

/** The CALL_ID index on the pipeline's Redis (one per CRM state store). */
export function crmCallIndexFor(deps: DedupStep["deps"]): CrmCallIndex {
  let index = indexes.get(deps.crmState);
  if (!index) indexes.set(deps.crmState, (index = new CrmCallIndex(deps.crmState.redis, deps.crmState.prefix)));
  return index;
}

/** The register answered another call's CALL_ID: note it, keep the state, and wait (throws). */
export async function deferDeduplicated(step: DedupStep): Promise<never> {
  const d = step.crm.registerDedup!;
  await step.deps.journal.record(step.callKey, {
    kind: "note",
    text: `Bitrix24 answered the register with ${d.crmCallId}, the CALL_ID of our call ${d.holder} (30-minute de-duplication: same user, number, type and line; this portal does not compare EXTERNAL_CALL_ID). Registering again once that call is finished.`,
  });
  await step.save();
  throw new RegisterDeferredError(`register de-duplicated onto ${d.crmCallId} (call ${d.holder}); registering again after its finish`);
}
