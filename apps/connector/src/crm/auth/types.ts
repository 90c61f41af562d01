/**
 * Pluggable authentication. A mode turns "call method M" into a URL plus whatever credentials the
 * request needs, and knows how to renew them after the portal said they expired. Three modes are
 * planned: incoming webhook (webhook.ts), OAuth of a local/market app (oauth.ts), and a gateway
 * token issued by our own b24-app (later issue) — which only has to implement this interface.
 */
import type { Redis } from "ioredis";

/** What the client hands a mode once, before the first request. */
export interface AuthContext {
  /** Shared Redis connection (tokens shared by every worker and process live here). */
  redis: Redis;
  /** Key prefix of this client, e.g. "b24"; modes put their keys under `${prefix}:auth:…`. */
  prefix: string;
  /** Portal key (limiter and queue are per portal). */
  portal: string;
}

export interface PreparedAuth {
  /** Full URL of the REST method, e.g. https://portal/rest/1/code/batch or https://portal/rest/batch */
  url: string;
  /** Extra JSON body fields (OAuth: `auth`). */
  body?: Record<string, unknown>;
  /** Extra HTTP headers (e.g. a gateway bearer token). */
  headers?: Record<string, string>;
  /** Opaque id of the credential used, so `renew` can tell whether someone already replaced it. */
  credential: string;
}

export interface B24AuthMode {
  /** "webhook" | "oauth" | "gateway" | … (logs, metrics). */
  readonly kind: string;
  init?(ctx: AuthContext): Promise<void>;
  /** Credentials for one request of `method` (for a batch: "batch"). */
  prepare(method: string): Promise<PreparedAuth>;
  /**
   * Called after a B24TokenExpiredError for a request made with `used`. Resolves when fresh
   * credentials are available (concurrent callers share one renewal); rejects with B24AuthError when
   * renewal is impossible. Modes without renewal (webhook) omit it: the error is then final.
   */
  renew?(used: PreparedAuth): Promise<void>;
  close?(): Promise<void>;
}
