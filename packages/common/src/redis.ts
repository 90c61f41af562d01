import type { ConnectionOptions as TlsOptions } from "node:tls";
import { z } from "zod";
import { SettingsError } from "./settings-error.js";
import { tlsClientOptions, tlsClientSchema, type TlsClientSettings } from "./tls.js";

/**
 * How a process reaches Redis: one server by URL (`redis://` plain, `rediss://` TLS), or the
 * master a set of Redis Sentinels names. What ioredis — and BullMQ as its `connection` — takes.
 */
export interface RedisTarget {
  host?: string;
  port?: number;
  password?: string;
  username?: string;
  db?: number;
  tls?: TlsOptions;
  sentinels?: { host: string; port: number }[];
  name?: string;
  sentinelUsername?: string;
  sentinelPassword?: string;
  enableTLSForSentinelMode?: boolean;
  sentinelTLS?: TlsOptions;
}

const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, "host:port");

export const redisSentinelSchema = z.strictObject({
  /** The master's name in the Sentinels' configuration (`sentinel monitor <name> …`). */
  name: z.string().min(1),
  /** Sentinel addresses, host:port; any of them answers where the master is now. */
  nodes: z.array(hostPort).min(1),
  /** Credentials of the Sentinels themselves (the master's are in the URL). */
  username: z.string().optional(),
  password: z.string().optional(),
  /** Talk to the Sentinels over TLS too (with the same `tls` settings). */
  tls: z.boolean().default(false),
});

export type RedisSentinelSettings = z.output<typeof redisSentinelSchema>;

export interface RedisSettings {
  url: string;
  tls?: TlsClientSettings | undefined;
  sentinel?: RedisSentinelSettings | undefined;
}

const DEFAULT_URL = "redis://127.0.0.1:6379";

/**
 * The connection keys of a `redis` config block (`url`, `tls`, `sentinel`), checked so that a
 * config never connects in plain text when it asks for TLS: the scheme must be `redis:` or
 * `rediss:`, and `tls` settings go with `rediss://` only.
 */
export const redisConnectionFields = {
  url: z
    .string()
    .default(DEFAULT_URL)
    .refine(
      (url) => {
        try {
          return ["redis:", "rediss:"].includes(new URL(url).protocol);
        } catch {
          return false;
        }
      },
      { message: "must be redis://[user:password@]host:port[/db] or rediss://… (TLS)" },
    ),
  tls: tlsClientSchema.optional(),
  sentinel: redisSentinelSchema.optional(),
};

/** The `tls` block may only sit beside a `rediss://` URL: one place says whether TLS is on. */
export function checkRedisTls(value: { url: string; tls?: unknown }, ctx: z.RefinementCtx): void {
  if (value.tls !== undefined && value.url.startsWith("redis://"))
    ctx.addIssue({ code: "custom", path: ["tls"], message: "TLS settings with a plain redis:// URL: write the URL as rediss://… to connect over TLS" });
}

function parseUrl(url: string, keyPrefix: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SettingsError(`${keyPrefix}.url`, `not a URL: ${JSON.stringify(url)}`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") throw new SettingsError(`${keyPrefix}.url`, `unsupported scheme ${u.protocol} (use redis:// or rediss:// for TLS)`);
  return u;
}

/**
 * Settings (or a bare URL) → ioredis options, also what BullMQ takes as `connection`.
 * `rediss://` always means TLS with the certificate checked unless `tls.rejectUnauthorized` is false;
 * with `sentinel` the URL's host and port are not used (the Sentinels name the master), its
 * credentials and database are.
 */
export function redisOptions(settings: string | RedisSettings, keyPrefix = "redis"): RedisTarget {
  const s: RedisSettings = typeof settings === "string" ? { url: settings } : settings;
  const u = parseUrl(s.url, keyPrefix);
  const secure = u.protocol === "rediss:";
  if (s.tls && !secure) throw new SettingsError(`${keyPrefix}.tls`, "TLS settings with a plain redis:// URL: write the URL as rediss://… to connect over TLS");
  const credentials = {
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
  };
  if (credentials.db !== undefined && !Number.isInteger(credentials.db)) throw new SettingsError(`${keyPrefix}.url`, `database ${u.pathname.slice(1)} is not a number`);
  if (s.sentinel) {
    const sn = s.sentinel;
    return {
      sentinels: sn.nodes.map((n) => {
        const i = n.lastIndexOf(":");
        return { host: n.slice(0, i), port: Number(n.slice(i + 1)) };
      }),
      name: sn.name,
      ...credentials,
      ...(sn.username ? { sentinelUsername: sn.username } : {}),
      ...(sn.password ? { sentinelPassword: sn.password } : {}),
      // The master (and replicas) the Sentinels point at: TLS when the URL says rediss://.
      ...(secure ? { tls: tlsClientOptions(s.tls, `${keyPrefix}.tls`), enableTLSForSentinelMode: true } : {}),
      ...(sn.tls ? { sentinelTLS: tlsClientOptions(s.tls, `${keyPrefix}.tls`) } : {}),
    };
  }
  return {
    host: u.hostname || "127.0.0.1",
    port: Number(u.port || 6379),
    ...credentials,
    ...(secure ? { tls: tlsClientOptions(s.tls, `${keyPrefix}.tls`, u.hostname) } : {}),
  };
}

/** Where the settings point, for logs and the console: no credentials. */
export function describeRedis(settings: string | RedisSettings): string {
  const s: RedisSettings = typeof settings === "string" ? { url: settings } : settings;
  let u: URL;
  try {
    u = new URL(s.url);
  } catch {
    return "(invalid redis.url)";
  }
  const db = u.pathname.length > 1 ? u.pathname : "";
  if (s.sentinel) return `sentinel ${s.sentinel.name} via ${s.sentinel.nodes.join(",")}${db}${u.protocol === "rediss:" ? " (TLS)" : ""}`;
  return `${u.protocol}//${u.host}${db}`;
}
