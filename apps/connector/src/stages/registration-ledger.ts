/**
 * Every call registered in Bitrix24, by EXTERNAL_CALL_ID (= the tracker's call key = the CEL
 * linkedid), for 180 days (docs/decisions/0020):
 *
 *   P:registered:<callKey>   HASH  callId, source (register | portal), by (live | reprocess:<run>),
 *                                  registeredAt (ms), userId, endedAt (ms: the pipeline was done with
 *                                  the call — finished, or gave up)
 *
 * Written in the same Redis transaction as the CRM state of the call (the live pipeline's and each
 * reprocessing run's own, run-scoped one), so no CALL_ID is ever obtained without the ledger
 * knowing it. Reprocessing reads it before it registers anything: a call some earlier pass
 * registered is finished on that CALL_ID (or left alone when it was finished), never registered
 * again, whatever run did it and however long ago.
 */
import type { ChainableCommander, Redis } from "ioredis";

export interface Registration {
  callId: string;
  source: "register" | "portal";
  /** Who registered it: `live`, or `reprocess:<run id>`. */
  by: string;
  registeredAt: number;
  userId?: number;
  /** The pipeline was done with the call (finished it, or gave up): information, not a CRM fact. */
  endedAt?: number;
}

/** What the ledger needs of a call's CRM state. */
export interface RegisteredState {
  crmCallId?: string;
  source?: "register" | "portal";
  registeredUserId?: number;
  finished?: boolean;
}

export const LEDGER_TTL_DAYS = 180;

/** Writes the CALL_ID only when it is not there yet or changed (a call registered anew after "Call is not found"). */
const NOTE = `
local cur = redis.call('HGET', KEYS[1], 'callId')
if cur ~= ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'callId', ARGV[1], 'source', ARGV[2], 'by', ARGV[3], 'registeredAt', ARGV[4])
  if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'userId', ARGV[5]) end
end
if ARGV[6] == '1' then redis.call('HSETNX', KEYS[1], 'endedAt', ARGV[4]) end
redis.call('EXPIRE', KEYS[1], ARGV[7])
return 1`;

export class RegistrationLedger {
  readonly #ttlS: number;

  constructor(
    readonly redis: Redis,
    readonly prefix: string,
    ttlDays = LEDGER_TTL_DAYS,
    readonly now: () => number = Date.now,
  ) {
    this.#ttlS = Math.round(ttlDays * 86_400);
  }

  key(callKey: string): string {
    return `${this.prefix}:registered:${callKey}`;
  }

  async get(callKey: string): Promise<Registration | undefined> {
    const h = await this.redis.hgetall(this.key(callKey));
    if (!h.callId) return undefined;
    return {
      callId: h.callId,
      source: h.source === "portal" ? "portal" : "register",
      by: h.by ?? "",
      registeredAt: Number(h.registeredAt ?? 0),
      ...(h.userId ? { userId: Number(h.userId) } : {}),
      ...(h.endedAt ? { endedAt: Number(h.endedAt) } : {}),
    };
  }

  /** Adds the ledger's writes for this state to `tx` (nothing when the call has no CALL_ID yet). */
  note(tx: ChainableCommander, callKey: string, state: RegisteredState, by: string): void {
    if (!state.crmCallId) return;
    tx.eval(
      NOTE,
      1,
      this.key(callKey),
      state.crmCallId,
      state.source ?? "register",
      by,
      String(this.now()),
      state.registeredUserId !== undefined ? String(state.registeredUserId) : "",
      state.finished ? "1" : "0",
      String(this.#ttlS),
    );
  }

  /** Records a state outside a CRM state save (tests, tools). */
  async record(callKey: string, state: RegisteredState, by: string): Promise<void> {
    const tx = this.redis.multi();
    this.note(tx, callKey, state, by);
    await tx.exec();
  }
}
