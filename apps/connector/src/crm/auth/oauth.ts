import { requestTokenRefresh } from "@asterisk-b24/common";
/**
 * OAuth 2.0 of a Bitrix24 app: the access token travels as the `auth` body field.
 *
 * Tokens live in Redis (hash `${prefix}:auth:oauth:${portal}`) so every worker and every process uses
 * the same pair — the pair rotates on refresh, so two processes refreshing independently would
 * invalidate each other. Renewal is single-flight twice over:
 *   - in a process, concurrent 401 expired_token failures share one promise;
 *   - across processes, a Redis lock (SET NX PX) elects one refresher; the others poll the hash until
 *     the access token differs from the one that failed, then retry with it.
 * Refresh happens only after a 401 expired_token (Bitrix24 asks apps not to refresh on a schedule).
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { B24AuthError, B24TransportError, classifyB24Error } from "../errors.js";
import type { AuthContext, B24AuthMode, PreparedAuth } from "./types.js";

export interface OAuthTokens {
  accessToken: string;
  refreshToken: string;
  /** Unix seconds (0 = unknown). */
  expires: number;
}

export interface OAuthAuthOptions {
  /** The portal's REST endpoint (`client_endpoint`), e.g. https://example.bitrix24.ru/rest/ */
  restUrl: string;
  /** The OAuth server's token endpoint, e.g. https://oauth.bitrix24.tech/oauth/token/ */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Stored in Redis only when Redis holds no pair yet (first start). */
  initialTokens?: OAuthTokens;
  /** Lock lifetime of one refresh (default 30 s). */
  lockTtlMs?: number;
  /** How long a process waits for another one's refresh before giving up (default 60 s). */
  waitMs?: number;
  /** Timeout of the token request (default 30 s). */
  timeoutMs?: number;
}

const RELEASE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class OAuthAuth implements B24AuthMode {
  readonly kind = "oauth";
  private redis!: Redis;
  private key = "";
  private tokens: OAuthTokens | undefined;
  private inflight: Promise<void> | undefined;
  private readonly restUrl: string;

  constructor(private readonly opts: OAuthAuthOptions) {
    this.restUrl = opts.restUrl.endsWith("/") ? opts.restUrl : `${opts.restUrl}/`;
  }

  async init(ctx: AuthContext): Promise<void> {
    this.redis = ctx.redis;
    this.key = `${ctx.prefix}:auth:oauth:${ctx.portal}`;
    if (this.opts.initialTokens) {
      const t = this.opts.initialTokens;
      // HSETNX on the access token decides whether we seed; the rest follows in the same MULTI.
      const seeded = await this.redis.hsetnx(this.key, "accessToken", t.accessToken);
      if (seeded) await this.redis.hset(this.key, "refreshToken", t.refreshToken, "expires", String(t.expires));
    }
    this.tokens = await this.load();
  }

  /** Number of refreshes performed by all processes on this key (observability, tests). */
  async refreshCount(): Promise<number> {
    return Number((await this.redis.hget(this.key, "refreshes")) ?? 0);
  }

  async prepare(method: string): Promise<PreparedAuth> {
    if (!this.tokens) this.tokens = await this.load();
    if (!this.tokens) throw new B24AuthError({ code: "NO_AUTH_FOUND", description: "no OAuth tokens stored for this portal" });
    return { url: `${this.restUrl}${method}`, body: { auth: this.tokens.accessToken }, credential: this.tokens.accessToken };
  }

  renew(used: PreparedAuth): Promise<void> {
    if (this.tokens && this.tokens.accessToken !== used.credential) return Promise.resolve(); // already renewed here
    this.inflight ??= this.renewOnce(used.credential).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async renewOnce(failed: string): Promise<void> {
    const lockKey = `${this.key}:lock`;
    const deadline = Date.now() + (this.opts.waitMs ?? 60_000);
    for (;;) {
      const cur = await this.load();
      if (cur && cur.accessToken !== failed) {
        this.tokens = cur; // another process (or an earlier round) already rotated the pair
        return;
      }
      const me = randomUUID();
      const got = await this.redis.set(lockKey, me, "PX", this.opts.lockTtlMs ?? 30_000, "NX");
      if (got) {
        try {
          const again = await this.load();
          if (again && again.accessToken !== failed) {
            this.tokens = again;
            return;
          }
          if (!again) throw new B24AuthError({ code: "NO_AUTH_FOUND", description: "no refresh token stored" });
          const fresh = await this.requestRefresh(again.refreshToken);
          await this.redis
            .multi()
            .hset(this.key, "accessToken", fresh.accessToken, "refreshToken", fresh.refreshToken, "expires", String(fresh.expires))
            .hincrby(this.key, "refreshes", 1)
            .exec();
          this.tokens = fresh;
          return;
        } finally {
          await this.redis.eval(RELEASE_LUA, 1, lockKey, me);
        }
      }
      if (Date.now() > deadline) throw new B24AuthError({ code: "REFRESH_TIMEOUT", description: "gave up waiting for another process to refresh the OAuth token" });
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async requestRefresh(refreshToken: string): Promise<OAuthTokens> {
    const r = await requestTokenRefresh({ ...this.opts, refreshToken });
    if (r.kind === "unreachable") throw new B24TransportError({ code: "OAUTH_UNREACHABLE", description: r.error.message, maybeExecuted: true, cause: r.error });
    if (r.kind === "refused") {
      const err = classifyB24Error(r.error, r.description, r.status);
      // A refresh that failed for credential reasons is an auth failure; anything else stays retryable.
      throw err instanceof B24AuthError || r.status < 500 ? new B24AuthError({ code: r.error, description: err.description, status: r.status }) : err;
    }
    return { accessToken: r.accessToken, refreshToken: r.refreshToken, expires: r.expires };
  }

  private async load(): Promise<OAuthTokens | undefined> {
    const h = await this.redis.hgetall(this.key);
    if (!h.accessToken || !h.refreshToken) return undefined;
    return { accessToken: h.accessToken, refreshToken: h.refreshToken, expires: Number(h.expires ?? 0) };
  }
}

export function oauthAuth(opts: OAuthAuthOptions): OAuthAuth {
  return new OAuthAuth(opts);
}
