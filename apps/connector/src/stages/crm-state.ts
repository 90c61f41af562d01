import type { Redis } from "ioredis";
import type { RegistrationLedger } from "./registration-ledger.js";

/**
 * What the pipeline has done in Bitrix24 for one call, kept in Redis beside the tracker state so
 * a restarted connector continues mid-call without registering twice or showing a card twice.
 */
export interface CrmCallState {
  /** Bitrix24 CALL_ID (from our register, or from the portal for click-to-call). */
  crmCallId?: string;
  source?: "register" | "portal";
  /** USER_ID the call was registered for. */
  registeredUserId?: number;
  entityType?: string;
  entityId?: number;
  /** The licence admitted this call (calls admitted keep working whatever happens to the licence). */
  admitted?: boolean;
  /** Why this call is not sent to the CRM (internal call, black list, need_registration …). */
  skipped?: string;
  /** Users whose card was shown / hidden. */
  shown: number[];
  hidden: number[];
  /** Extension → Bitrix24 user (null: no user for it), as resolved during the call. */
  users: Record<string, number | null>;
  /** Last CRM user whose phone rang, and every user who answered. */
  lastRungUserId?: number;
  answeredUserIds: number[];
  /** Last register failure (Bitrix24's text); registration is tried again later in the call. */
  registerError?: string;
  /** Bitrix24 answered a register with another of our calls' CALL_ID: what this call waits for. */
  registerDedup?: RegisterDedupState;
  finished?: boolean;
  /** Calls merged into this one (attended transfer consultation calls). */
  mergedFrom: string[];
}

export function emptyCrmState(): CrmCallState {
  return { shown: [], hidden: [], users: {}, answeredUserIds: [], mergedFrom: [] };
}

const DONE_TTL_S = 3 * 24 * 3600;

export class CrmStateStore {
  /**
   * `ledger`: every CALL_ID this store saves is also written to the registration ledger (same
   * transaction), as registered `by` this pipeline (`live`, `reprocess:<run>`).
   */
  constructor(
    readonly redis: Redis,
    readonly prefix: string,
    readonly ledger?: RegistrationLedger,
    readonly by = "live",
  ) {}

  #key(callKey: string): string {
    return `${this.prefix}:crm:${callKey}`;
  }

  async load(callKey: string): Promise<CrmCallState> {
    const raw = await this.redis.get(this.#key(callKey));
    return raw ? { ...emptyCrmState(), ...(JSON.parse(raw) as Partial<CrmCallState>) } : emptyCrmState();
  }

  async save(callKey: string, state: CrmCallState): Promise<void> {
    if (!this.ledger || !state.crmCallId) {
      if (state.finished || state.skipped) await this.redis.set(this.#key(callKey), JSON.stringify(state), "EX", DONE_TTL_S);
      else await this.redis.set(this.#key(callKey), JSON.stringify(state));
      return;
    }
    const tx = this.redis.multi();
    if (state.finished || state.skipped) tx.set(this.#key(callKey), JSON.stringify(state), "EX", DONE_TTL_S);
    else tx.set(this.#key(callKey), JSON.stringify(state));
    this.ledger.note(tx, callKey, state, this.by);
    const res = await tx.exec();
    const failed = res?.find(([err]) => err);
    if (failed) throw failed[0] as Error;
  }
}

/** A register Bitrix24 de-duplicated onto another of our calls (see register-dedup.ts). */
export interface RegisterDedupState {
  /** The CALL_ID Bitrix24 handed back, and the call of ours that holds it. */
  crmCallId: string;
  holder: string;
  /** Registers answered with another call's CALL_ID so far. */
  attempts: number;
  holderSince: number;
}
