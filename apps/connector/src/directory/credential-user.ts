import type { Redis } from "ioredis";
import type { B24Port } from "../crm/port.js";
import type { CachedUser } from "./users-cache.js";

/**
 * The portal user the connector's credential belongs to — the webhook's owner, or the
 * administrator who installed the b24-app (whose token the gateway uses) — as `user.current`
 * answers. It always exists while the credential works, so a call nobody owns can land on it.
 *
 * Kept in Redis (`<prefix>:credential-user`): a restart, or a portal that does not answer at the
 * moment a call ends, still has it. Looked up again when older than `refreshMs`; a failed lookup
 * keeps the stored user. With nothing stored and the portal not answering, `get()` rejects (the
 * stage is retried later: the call waits, it is not dropped).
 */
export interface CredentialUserRecord {
  id: number;
  name: string;
  /** ms since epoch of the `user.current` answer. */
  resolvedAt: number;
}

export interface CredentialUserOptions {
  port: Pick<B24Port, "call">;
  redis: Redis;
  prefix: string;
  /** Look the user up again after this long (default 6 h). */
  refreshMs?: number;
  now?: () => number;
  /** A refresh failed while a stored user was still there (it is used meanwhile). */
  onStale?: (err: Error, stored: CredentialUserRecord) => void;
}

type CurrentUser = { ID?: string | number; NAME?: string; LAST_NAME?: string; ACTIVE?: boolean | string };

export class CredentialUserError extends Error {
  override readonly name = "CredentialUserError";
}

/** `user.current`'s answer → the record (rejects an answer without a positive ID or of an inactive user). */
export function credentialUserFrom(answer: unknown, at: number): CredentialUserRecord {
  const u = (answer ?? {}) as CurrentUser;
  const id = Number(u.ID);
  if (!Number.isInteger(id) || id <= 0) throw new CredentialUserError(`user.current answered without a user ID: ${JSON.stringify(answer).slice(0, 200)}`);
  if (u.ACTIVE === false || u.ACTIVE === "N" || u.ACTIVE === "false") throw new CredentialUserError(`the credential's user ${id} is deactivated in Bitrix24`);
  const name = [u.NAME, u.LAST_NAME].filter((s) => typeof s === "string" && s !== "").join(" ");
  return { id, name, resolvedAt: at };
}

export class CredentialUser {
  readonly #key: string;
  #inflight: Promise<CredentialUserRecord> | null = null;
  readonly #now: () => number;

  constructor(private readonly o: CredentialUserOptions) {
    this.#key = `${o.prefix}:credential-user`;
    this.#now = o.now ?? Date.now;
  }

  /** The stored user (no request), undefined before the first lookup. */
  async stored(): Promise<CredentialUserRecord | undefined> {
    const raw = await this.o.redis.get(this.#key);
    if (!raw) return undefined;
    try {
      const r = JSON.parse(raw) as CredentialUserRecord;
      return Number.isInteger(r.id) && r.id > 0 ? r : undefined;
    } catch {
      return undefined;
    }
  }

  /** The user (stored, looked up again when stale). */
  async get(): Promise<CredentialUserRecord> {
    const stored = await this.stored();
    if (stored && this.#now() - stored.resolvedAt < (this.o.refreshMs ?? 6 * 3600_000)) return stored;
    try {
      return await this.refresh();
    } catch (err) {
      if (!stored) throw err;
      this.o.onStale?.(err as Error, stored);
      return stored;
    }
  }

  /** Asks `user.current` now and stores the answer. Single-flight. */
  refresh(): Promise<CredentialUserRecord> {
    this.#inflight ??= this.#lookup().finally(() => {
      this.#inflight = null;
    });
    return this.#inflight;
  }

  /** As the stages take a user (register's USER_ID). */
  static asCachedUser(r: CredentialUserRecord): CachedUser {
    return { id: r.id, name: r.name, phones: {} };
  }

  async #lookup(): Promise<CredentialUserRecord> {
    const rec = credentialUserFrom(await this.o.port.call("user.current", {}), this.#now());
    await this.o.redis.set(this.#key, JSON.stringify(rec));
    return rec;
  }
}
