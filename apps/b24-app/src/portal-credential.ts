import { requestTokenRefresh } from "@asterisk-b24/common";
/**
 * The portal credential the b24-app holds (and never hands out). Two modes:
 *
 * - oauth: the pair from the installation, in Redis. Refreshed only after the portal said
 *   `expired_token`; one refresh in flight per process (shared promise) and across processes (Redis
 *   lock); the rotated pair is persisted before anyone uses it. The token server URL is configurable
 *   (central Bitrix24 OAuth server, or whatever the box's network offers).
 * - webhook: an incoming webhook URL; nothing to refresh, no OAuth server involved at all.
 */
import { randomUUID } from "node:crypto";
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

const RELEASE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class OAuthCredential implements PortalCredential {
  readonly kind = "oauth";
  private readonly restUrl: string;
  private cached: OAuthPair | undefined;
  private inflight: Promise<void> | undefined;

  constructor(
    private readonly store: AppStore,
    private readonly opts: OAuthCredentialOptions,
  ) {
    this.restUrl = new URL("/rest/", opts.portalUrl).toString();
  }

  async prepare(method: string): Promise<PreparedCall> {
    // Another process may have rotated the pair: read it from Redis unless we hold the newest.
    const pair = (this.cached = (await this.store.oauthPair()) ?? this.cached);
    if (!pair) throw new NotInstalledError();
    return { url: `${this.restUrl}${method}`, body: { auth: pair.accessToken }, credential: pair.accessToken };
  }

  renew(used: PreparedCall): Promise<void> {
    this.inflight ??= this.renewOnce(used.credential).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async renewOnce(failed: string): Promise<void> {
    const lockKey = this.store.key("oauth:lock");
    const deadline = Date.now() + (this.opts.waitMs ?? 60_000);
    for (;;) {
      const cur = await this.store.oauthPair();
      if (!cur) throw new NotInstalledError();
      if (cur.accessToken !== failed) {
        this.cached = cur; // already rotated (here or by another process)
        return;
      }
      const me = randomUUID();
      if (await this.store.redis.set(lockKey, me, "PX", this.opts.lockTtlMs ?? 30_000, "NX")) {
        try {
          const again = await this.store.oauthPair();
          if (again && again.accessToken !== failed) {
            this.cached = again;
            return;
          }
          if (!again) throw new NotInstalledError();
          const fresh = await this.requestRefresh(again.refreshToken);
          await this.store.saveRotatedPair(fresh);
          this.cached = fresh;
          return;
        } finally {
          await this.store.redis.eval(RELEASE_LUA, 1, lockKey, me);
        }
      }
      if (Date.now() > deadline) throw new PortalUnavailableError("REFRESH_TIMEOUT", "gave up waiting for another process to refresh the portal token");
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async requestRefresh(refreshToken: string): Promise<OAuthPair> {
    const r = await requestTokenRefresh({ ...this.opts, refreshToken });
    if (r.kind === "unreachable") throw new PortalUnavailableError("OAUTH_UNREACHABLE", `OAuth server ${new URL(this.opts.tokenUrl).host} unreachable: ${r.error.message}`);
    if (r.kind === "refused" && r.status >= 500) throw new PortalUnavailableError(`HTTP_${r.status}`, `OAuth server answered ${r.status}`);
    if (r.kind === "refused") throw new PortalAuthError(r.error, `token refresh refused: ${r.error} ${r.description} (reinstall the application)`);
    return { accessToken: r.accessToken, refreshToken: r.refreshToken, expires: r.expires };
  }

}
