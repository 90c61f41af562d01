import { RedisOAuthTokenStore, requestTokenRefresh, type OAuthPair, type OAuthRefresher } from "@asterisk-b24/common";
/**
 * OAuth 2.0 of a Bitrix24 app: the access token travels as the `auth` body field.
 *
 * Tokens live in Redis (hash `${prefix}:auth:oauth:${portal}`, lock `…:lock`) through the shared
 * `RedisOAuthTokenStore` of packages/common (also used by the b24-app): one pair for every worker
 * and process, renewal single-flight within a process and across processes (Redis lock), the
 * rotated pair persisted before use. This class adds the connector's error mapping.
 * Refresh happens only after a 401 expired_token (Bitrix24 asks apps not to refresh on a schedule).
 */
import { B24AuthError, B24TransportError, classifyB24Error } from "../errors.js";
import type { AuthContext, B24AuthMode, PreparedAuth } from "./types.js";

export type OAuthTokens = OAuthPair;

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

export class OAuthAuth implements B24AuthMode {
  readonly kind = "oauth";
  private store!: RedisOAuthTokenStore;
  private tokens: OAuthTokens | undefined;
  private readonly restUrl: string;
  private readonly refresher: OAuthRefresher;

  constructor(private readonly opts: OAuthAuthOptions) {
    this.restUrl = opts.restUrl.endsWith("/") ? opts.restUrl : `${opts.restUrl}/`;
    this.refresher = {
      lockTtlMs: opts.lockTtlMs,
      waitMs: opts.waitMs,
      refresh: (refreshToken) => this.requestRefresh(refreshToken),
      noPair: () => new B24AuthError({ code: "NO_AUTH_FOUND", description: "no OAuth tokens stored for this portal" }),
      waitTimeout: () => new B24AuthError({ code: "REFRESH_TIMEOUT", description: "gave up waiting for another process to refresh the OAuth token" }),
    };
  }

  async init(ctx: AuthContext): Promise<void> {
    this.store = new RedisOAuthTokenStore({ redis: ctx.redis, pairKey: `${ctx.prefix}:auth:oauth:${ctx.portal}` });
    if (this.opts.initialTokens) await this.store.seed(this.opts.initialTokens);
    this.tokens = await this.store.load();
  }

  /** Number of refreshes performed by all processes on this key (observability, tests). */
  refreshCount(): Promise<number> {
    return this.store.refreshCount();
  }

  async prepare(method: string): Promise<PreparedAuth> {
    if (!this.tokens) this.tokens = await this.store.load();
    if (!this.tokens) throw this.refresher.noPair();
    return { url: `${this.restUrl}${method}`, body: { auth: this.tokens.accessToken }, credential: this.tokens.accessToken };
  }

  async renew(used: PreparedAuth): Promise<void> {
    if (this.tokens && this.tokens.accessToken !== used.credential) return; // already renewed here
    this.tokens = await this.store.renew(used.credential, this.refresher);
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
}

export function oauthAuth(opts: OAuthAuthOptions): OAuthAuth {
  return new OAuthAuth(opts);
}
