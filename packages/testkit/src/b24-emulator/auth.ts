/**
 * Credentials of the emulated portal: the incoming webhook (`/rest/<userId>/<code>/…`) and the OAuth app
 * (access token in the `auth` parameter, token endpoint with rotating refresh tokens). Fact sheet §6.
 */
import { randomBytes } from "node:crypto";
import { RestError, expiredToken, invalidCredentials, invalidToken, noAuthFound } from "./errors.js";
import type { B24EmulatorOptions } from "./types.js";

export interface AuthInfo {
  kind: "webhook" | "oauth";
  userId: number;
  /** REST_APP_ID: the app's id for OAuth, null for a webhook (no client_id). */
  appId: number | null;
  /** Key of the operating-time budget: auth type + client id / webhook id. */
  credentialKey: string;
  accessToken?: string;
}

export interface OAuthTokenResponse {
  access_token: string;
  expires: number;
  expires_in: number;
  scope: string;
  domain: string;
  server_endpoint: string;
  client_endpoint: string;
  member_id: string;
  user_id: number;
  status: "L";
  refresh_token: string;
}

interface TokenRow {
  userId: number;
  expiresAt: number;
}

const hex = (bytes: number): string => randomBytes(bytes).toString("hex");

export class AuthManager {
  readonly memberId = hex(16);
  readonly applicationToken: string;
  private access = new Map<string, TokenRow>();
  private refresh = new Map<string, TokenRow>();
  private codes = new Map<string, TokenRow>();
  refreshes = 0;

  constructor(
    private readonly opts: B24EmulatorOptions,
    private readonly now: () => number,
    private readonly baseUrl: () => string,
  ) {
    this.applicationToken = opts.oauth?.applicationToken ?? hex(16);
  }

  get appId(): number | null {
    return this.opts.oauth ? (this.opts.oauth.appId ?? 1) : null;
  }

  get appName(): string {
    return this.opts.oauth?.appName ?? "Asterisk connector";
  }

  get clientId(): string | null {
    return this.opts.oauth?.clientId ?? null;
  }

  private get accessTtlMs(): number {
    return (this.opts.oauth?.accessTtlSec ?? 3600) * 1000;
  }

  private get refreshTtlMs(): number {
    return (this.opts.oauth?.refreshTtlSec ?? 180 * 86400) * 1000;
  }

  /** Tokens for an installed app (as delivered by ONAPPINSTALL / the first authorization_code exchange). */
  issue(userId?: number): OAuthTokenResponse {
    if (!this.opts.oauth) throw new Error("b24-emulator: no oauth app configured (options.oauth)");
    const uid = userId ?? this.opts.oauth.userId ?? 1;
    const access_token = hex(35);
    const refresh_token = hex(35);
    const now = this.now();
    this.access.set(access_token, { userId: uid, expiresAt: now + this.accessTtlMs });
    this.refresh.set(refresh_token, { userId: uid, expiresAt: now + this.refreshTtlMs });
    const base = this.baseUrl();
    return {
      access_token,
      expires: Math.floor((now + this.accessTtlMs) / 1000),
      expires_in: Math.round(this.accessTtlMs / 1000),
      scope: this.opts.oauth.scope ?? "crm,telephony,user,task,im",
      domain: new URL(base).host,
      server_endpoint: `${base}/rest/`,
      client_endpoint: `${base}/rest/`,
      member_id: this.memberId,
      user_id: uid,
      status: "L",
      refresh_token,
    };
  }

  /** An authorization code (lifetime 30 s) for the `authorization_code` grant. */
  issueAuthCode(userId?: number): string {
    if (!this.opts.oauth) throw new Error("b24-emulator: no oauth app configured (options.oauth)");
    const code = hex(20);
    this.codes.set(code, { userId: userId ?? this.opts.oauth.userId ?? 1, expiresAt: this.now() + 30_000 });
    return code;
  }

  expireAccessTokens(): void {
    const now = this.now();
    for (const row of this.access.values()) row.expiresAt = Math.min(row.expiresAt, now - 1);
  }

  webhook(userId: string, code: string): AuthInfo {
    const wh = this.opts.webhook;
    if (!wh || String(wh.userId) !== userId || wh.code !== code) throw invalidCredentials();
    return { kind: "webhook", userId: wh.userId, appId: null, credentialKey: `webhook:${wh.userId}:${wh.code}` };
  }

  oauth(token: unknown): AuthInfo {
    if (typeof token !== "string" || token === "") throw noAuthFound();
    const row = this.access.get(token);
    if (!row) throw invalidToken();
    if (row.expiresAt <= this.now()) throw expiredToken();
    return {
      kind: "oauth",
      userId: row.userId,
      appId: this.appId,
      credentialKey: `oauth:${this.opts.oauth?.clientId ?? ""}`,
      accessToken: token,
    };
  }

  /** The OAuth server's `/oauth/token/` (GET query or POST form). Returns status and JSON body. */
  tokenEndpoint(p: Record<string, unknown>): { status: number; body: unknown } {
    const err = (status: number, error: string, error_description: string) => ({
      status,
      body: { error, error_description },
    });
    const o = this.opts.oauth;
    if (!o) return err(400, "invalid_request", "No application is installed on this portal");
    const grant = p["grant_type"];
    if (grant !== "refresh_token" && grant !== "authorization_code") {
      return err(400, "invalid_request", "grant_type is not supported");
    }
    if (p["client_id"] !== o.clientId || p["client_secret"] !== o.clientSecret) {
      return err(401, "invalid_client", "Invalid client credentials");
    }
    const now = this.now();
    if (grant === "authorization_code") {
      const code = typeof p["code"] === "string" ? p["code"] : "";
      const row = this.codes.get(code);
      this.codes.delete(code);
      if (!row || row.expiresAt <= now) return err(400, "invalid_grant", "Authorization code is invalid or expired");
      return { status: 200, body: this.issue(row.userId) };
    }
    const rt = typeof p["refresh_token"] === "string" ? p["refresh_token"] : "";
    const row = this.refresh.get(rt);
    if (!row || row.expiresAt <= now) return err(400, "invalid_grant", "Refresh token is invalid or expired");
    this.refresh.delete(rt); // the pair rotates: the old refresh token is dead now
    this.refreshes++;
    return { status: 200, body: this.issue(row.userId) };
  }
}

export { RestError };
