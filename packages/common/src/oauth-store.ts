/**
 * The OAuth pair of one Bitrix24 portal, kept in Redis so every worker and every process uses the
 * same pair: the pair rotates on refresh, so two processes refreshing independently would
 * invalidate each other. Both apps use this one store (each with its own key names and its own
 * error types); only the refresh request itself and the errors are the app's (`OAuthRefresher`).
 *
 * Layout (key names chosen by the app):
 *   <pairKey>   hash    accessToken, refreshToken, expires (unix s), refreshes (count), refreshedAt (ISO)
 *   <lockKey>   string  the token of the one process refreshing right now (SET NX PX, expires)
 *
 * Renewal is single-flight twice over:
 *   - in a process, concurrent renewals share one promise;
 *   - across processes, the lock elects one refresher; the others poll the hash until the access
 *     token differs from the one that failed, then use the stored pair. The rotated pair is
 *     persisted before anyone uses it; the lock is released only by its owner (compare-and-delete),
 *     and a crashed holder's lock simply expires.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

export interface OAuthPair {
  accessToken: string;
  refreshToken: string;
  /** Unix seconds (0 = unknown). */
  expires: number;
}

export interface RedisOAuthTokenStoreOptions {
  redis: Redis;
  /** The hash holding the pair. */
  pairKey: string;
  /** The refresh lock (default `${pairKey}:lock`). */
  lockKey?: string;
}

/** What the app contributes to a renewal: the request, its own errors and the timings. */
export interface OAuthRefresher {
  /** Asks the OAuth server for a new pair; throws the app's own error when it cannot. */
  refresh: (refreshToken: string) => Promise<OAuthPair>;
  /** The app's error when no pair is stored. */
  noPair: () => Error;
  /** The app's error when another process's refresh did not land within `waitMs`. */
  waitTimeout: () => Error;
  /** Lock lifetime of one refresh (default 30 s). */
  lockTtlMs?: number;
  /** How long a process waits for another one's refresh before giving up (default 60 s). */
  waitMs?: number;
  /** Poll interval while another process refreshes (default 50 ms). */
  pollMs?: number;
}

/** Compare-and-delete: only the holder (its random token) releases the lock. */
export const RELEASE_LOCK_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class RedisOAuthTokenStore {
  readonly pairKey: string;
  readonly lockKey: string;
  private inflight: Promise<OAuthPair> | undefined;

  constructor(private readonly opts: RedisOAuthTokenStoreOptions) {
    this.pairKey = opts.pairKey;
    this.lockKey = opts.lockKey ?? `${opts.pairKey}:lock`;
  }

  async load(): Promise<OAuthPair | undefined> {
    const h = await this.opts.redis.hgetall(this.pairKey);
    if (!h.accessToken || !h.refreshToken) return undefined;
    return { accessToken: h.accessToken, refreshToken: h.refreshToken, expires: Number(h.expires ?? 0) };
  }

  /** Stores `pair` only when no pair is stored yet (first start); true when it did. */
  async seed(pair: OAuthPair): Promise<boolean> {
    // HSETNX on the access token decides whether we seed; the rest follows.
    const seeded = await this.opts.redis.hsetnx(this.pairKey, "accessToken", pair.accessToken);
    if (seeded) await this.opts.redis.hset(this.pairKey, "refreshToken", pair.refreshToken, "expires", String(pair.expires));
    return seeded === 1;
  }

  /** Number of refreshes performed by all processes on this pair. */
  async refreshCount(): Promise<number> {
    return Number((await this.opts.redis.hget(this.pairKey, "refreshes")) ?? 0);
  }

  /**
   * After the portal refused `failedAccessToken` as expired: resolves with a pair whose access
   * token differs — refreshed here, or by another caller/process meanwhile.
   */
  renew(failedAccessToken: string, refresher: OAuthRefresher): Promise<OAuthPair> {
    this.inflight ??= this.renewOnce(failedAccessToken, refresher).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async renewOnce(failed: string, refresher: OAuthRefresher): Promise<OAuthPair> {
    const { redis } = this.opts;
    const deadline = Date.now() + (refresher.waitMs ?? 60_000);
    for (;;) {
      const cur = await this.load();
      if (!cur) throw refresher.noPair();
      if (cur.accessToken !== failed) return cur; // already rotated (here or by another process)
      const me = randomUUID();
      if (await redis.set(this.lockKey, me, "PX", refresher.lockTtlMs ?? 30_000, "NX")) {
        try {
          const again = await this.load();
          if (!again) throw refresher.noPair();
          if (again.accessToken !== failed) return again;
          const fresh = await refresher.refresh(again.refreshToken);
          await this.saveRotated(fresh);
          return fresh;
        } finally {
          await redis.eval(RELEASE_LOCK_LUA, 1, this.lockKey, me);
        }
      }
      if (Date.now() > deadline) throw refresher.waitTimeout();
      await new Promise((r) => setTimeout(r, refresher.pollMs ?? 50));
    }
  }

  /** Persists a rotated pair (counts the refresh, stamps refreshedAt). */
  async saveRotated(pair: OAuthPair): Promise<void> {
    await this.opts.redis
      .multi()
      .hset(this.pairKey, { accessToken: pair.accessToken, refreshToken: pair.refreshToken, expires: String(pair.expires), refreshedAt: new Date().toISOString() })
      .hincrby(this.pairKey, "refreshes", 1)
      .exec();
  }
}
