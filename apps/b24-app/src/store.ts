/**
 * Everything the b24-app persists, in Redis (shared with the connector, AOF on; decision 0011):
 *
 *   <p>:install            hash  memberId, domain, applicationToken, installedAt, scope, userId
 *   <p>:oauth              hash  accessToken, refreshToken, expires, refreshes, refreshedAt
 *   <p>:oauth:lock         string (one refresher across processes)
 *   <p>:tokens             hash  jti → JSON IssuedToken (the registry of connector tokens)
 *   <p>:revoked            hash  jti → revokedAt (ISO)
 *   <p>:audit              stream  one entry per use of a connector token (capped)
 *   <p>:upload:<id>        string  portal upload URL behind a gateway upload id (1 h)
 */
import { RedisOAuthTokenStore, type OAuthPair } from "@asterisk-b24/common";
import type { Redis } from "ioredis";

export type { OAuthPair };

export interface InstallRecord {
  memberId: string;
  domain: string;
  applicationToken: string;
  installedAt: string;
  scope: string;
  userId: string;
}

export interface IssuedToken {
  jti: string;
  connectorId: string;
  scopes: string[];
  issuedAt: string;
  expiresAt: string;
  note?: string;
}

export interface AuditEntry {
  at: string;
  jti: string;
  connectorId: string;
  /** "rest" (single method), "batch", "upload", or "refused". */
  kind: string;
  methods: string;
  status: number;
  ip: string;
  reason?: string;
}

export class AppStore {
  /** The portal's OAuth pair and its refresh lock (the store shared with the connector). */
  readonly oauth: RedisOAuthTokenStore;

  constructor(
    readonly redis: Redis,
    readonly prefix: string,
    private readonly auditMax = 100_000,
  ) {
    this.oauth = new RedisOAuthTokenStore({ redis, pairKey: this.key("oauth"), lockKey: this.key("oauth:lock") });
  }

  key(name: string): string {
    return `${this.prefix}:${name}`;
  }

  // ---- installation --------------------------------------------------------------------------
  async saveInstall(rec: InstallRecord, pair?: OAuthPair): Promise<void> {
    const m = this.redis
      .multi()
      .del(this.key("install"))
      .hset(this.key("install"), { ...rec });
    if (pair) m.hset(this.key("oauth"), { accessToken: pair.accessToken, refreshToken: pair.refreshToken, expires: String(pair.expires) });
    await m.exec();
  }

  async install(): Promise<InstallRecord | undefined> {
    const h = await this.redis.hgetall(this.key("install"));
    if (!h.applicationToken) return undefined;
    return {
      memberId: h.memberId ?? "",
      domain: h.domain ?? "",
      applicationToken: h.applicationToken,
      installedAt: h.installedAt ?? "",
      scope: h.scope ?? "",
      userId: h.userId ?? "",
    };
  }

  // ---- OAuth pair ----------------------------------------------------------------------------
  oauthPair(): Promise<OAuthPair | undefined> {
    return this.oauth.load();
  }

  refreshCount(): Promise<number> {
    return this.oauth.refreshCount();
  }

  // ---- connector tokens ----------------------------------------------------------------------
  async registerToken(t: IssuedToken): Promise<void> {
    await this.redis.hset(this.key("tokens"), t.jti, JSON.stringify(t));
  }

  async token(jti: string): Promise<IssuedToken | undefined> {
    const raw = await this.redis.hget(this.key("tokens"), jti);
    return raw ? (JSON.parse(raw) as IssuedToken) : undefined;
  }

  async tokens(): Promise<Array<IssuedToken & { revokedAt?: string }>> {
    const [all, revoked] = await Promise.all([this.redis.hgetall(this.key("tokens")), this.redis.hgetall(this.key("revoked"))]);
    return Object.values(all)
      .map((raw) => JSON.parse(raw) as IssuedToken)
      .map((t) => (revoked[t.jti] ? { ...t, revokedAt: revoked[t.jti] } : t))
      .sort((a, b) => a.issuedAt.localeCompare(b.issuedAt));
  }

  /** One round trip for the hot path: the registry entry and its revocation. */
  async tokenState(jti: string): Promise<{ token?: IssuedToken; revokedAt?: string }> {
    const [raw, revokedAt] = await this.redis
      .multi()
      .hget(this.key("tokens"), jti)
      .hget(this.key("revoked"), jti)
      .exec()
      .then((r) => r!.map((x) => x[1] as string | null));
    return { ...(raw ? { token: JSON.parse(raw) as IssuedToken } : {}), ...(revokedAt ? { revokedAt } : {}) };
  }

  /** True when the token existed and was not revoked before. */
  async revoke(jti: string): Promise<boolean> {
    if (!(await this.redis.hexists(this.key("tokens"), jti))) return false;
    return (await this.redis.hsetnx(this.key("revoked"), jti, new Date().toISOString())) === 1;
  }

  // ---- audit ---------------------------------------------------------------------------------
  async audit(e: AuditEntry): Promise<void> {
    const fields = Object.entries(e).flatMap(([k, v]) => (v === undefined ? [] : [k, String(v)]));
    await this.redis.xadd(this.key("audit"), "MAXLEN", "~", String(this.auditMax), "*", ...fields);
  }

  async auditTail(count = 50): Promise<AuditEntry[]> {
    const rows = await this.redis.xrevrange(this.key("audit"), "+", "-", "COUNT", count);
    return rows.reverse().map(([, flat]) => {
      const o: Record<string, string> = {};
      for (let i = 0; i < flat.length; i += 2) o[flat[i]!] = flat[i + 1]!;
      const entry: AuditEntry = {
        at: o.at ?? "",
        jti: o.jti ?? "",
        connectorId: o.connectorId ?? "",
        kind: o.kind ?? "",
        methods: o.methods ?? "",
        status: Number(o.status),
        ip: o.ip ?? "",
      };
      if (o.reason !== undefined) entry.reason = o.reason;
      return entry;
    });
  }

  // ---- uploads / offline de-dup --------------------------------------------------------------
  async saveUpload(id: string, url: string, ttlSec = 3600): Promise<void> {
    await this.redis.set(this.key(`upload:${id}`), url, "EX", ttlSec);
  }

  async upload(id: string): Promise<string | undefined> {
    return (await this.redis.get(this.key(`upload:${id}`))) ?? undefined;
  }
}
