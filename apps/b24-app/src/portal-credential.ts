import { requestTokenRefresh, type OAuthRefresher } from "@asterisk-b24/common";
/**
 * The portal credential the b24-app holds (and never hands out). Two modes:
 *
 * - oauth: the pair from the installation, in Redis. Refreshed only after the portal said
 *   `expired_token`, through the `RedisOAuthTokenStore` shared with the connector (packages/common):
 *   one refresh in flight per process and across processes (Redis lock); the rotated pair is
 *   persisted before anyone uses it. This class adds the b24-app's errors. The token server URL is
 *   configurable (central Bitrix24 OAuth server, or whatever the box's network offers).
 * - webhook: an incoming webhook URL; nothing to refresh, no OAuth server involved at all.
 */
import { NotInstalledError, PortalAuthError, PortalUnavailableError } from "./errors.js";
import type { AppStore, OAuthPair } from "./store.js";

export interface PreparedCall {
  url: string;
  /** Fields merged into the JSON body (oauth: `auth`). */
  body: Record<string, unknown>;
  /** Which credential was used (renew compares it). */
  credential: string;
}

export interface PortalCredential {
  readonly kind: "oauth" | "webhook";
  prepare(method: string): Promise<PreparedCall>;
  /** After `expired_token` with `used`: resolves when a fresh credential is stored. */
  renew?(used: PreparedCall): Promise<void>;
}

export class WebhookCredential implements PortalCredential {
  readonly kind = "webhook";
  private readonly base: string;

  constructor(webhookUrl: string) {
    this.base = webhookUrl.endsWith("/") ? webhookUrl : `${webhookUrl}/`;
  }

  async prepare(method: string): Promise<PreparedCall> {
    return { url: `${this.base}${method}`, body: {}, credential: "webhook" };
  }
}

export interface OAuthCredentialOptions {
  portalUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  lockTtlMs?: number;
  waitMs?: number;
  timeoutMs?: number;
}

export class OAuthCredential implements PortalCredential {
  readonly kind = "oauth";
  private readonly restUrl: string;
  private cached: OAuthPair | undefined;
  private readonly refresher: OAuthRefresher;

  constructor(
    private readonly store: AppStore,
    private readonly opts: OAuthCredentialOptions,
  ) {
    this.restUrl = new URL("/rest/", opts.portalUrl).toString();
    this.refresher = {
      lockTtlMs: opts.lockTtlMs,
      waitMs: opts.waitMs,
      refresh: (refreshToken) => this.requestRefresh(refreshToken),
      noPair: () => new NotInstalledError(),
      waitTimeout: () => new PortalUnavailableError("REFRESH_TIMEOUT", "gave up waiting for another process to refresh the portal token"),
    };
  }

  async prepare(method: string): Promise<PreparedCall> {
    // Another process may have rotated the pair: read it from Redis unless we hold the newest.
    const pair = (this.cached = (await this.store.oauthPair()) ?? this.cached);
    if (!pair) throw new NotInstalledError();
    return { url: `${this.restUrl}${method}`, body: { auth: pair.accessToken }, credential: pair.accessToken };
  }

  async renew(used: PreparedCall): Promise<void> {
    this.cached = await this.store.oauth.renew(used.credential, this.refresher);
  }

  private async requestRefresh(refreshToken: string): Promise<OAuthPair> {
    const r = await requestTokenRefresh({ ...this.opts, refreshToken });
    if (r.kind === "unreachable") throw new PortalUnavailableError("OAUTH_UNREACHABLE", `OAuth server ${new URL(this.opts.tokenUrl).host} unreachable: ${r.error.message}`);
    if (r.kind === "refused" && r.status >= 500) throw new PortalUnavailableError(`HTTP_${r.status}`, `OAuth server answered ${r.status}`);
    if (r.kind === "refused") throw new PortalAuthError(r.error, `token refresh refused: ${r.error} ${r.description} (reinstall the application)`);
    return { accessToken: r.accessToken, refreshToken: r.refreshToken, expires: r.expires };
  }
}
