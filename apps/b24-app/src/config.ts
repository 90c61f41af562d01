import {
  CLICK_TO_CALL_QUEUE,
  checkRedisTls,
  clickToCallQueueFields,
  ConfigError,
  readJsonConfig,
  redisConnectionFields,
  validateConfig,
  type EnvOverrides,
} from "@asterisk-b24/common";
/**
 * The b24-app's configuration (JSON file, `--config FILE`). Validated with zod once at start; an
 * error names the path of every wrong key. Secrets may come from the environment instead.
 */
import { z } from "zod";

const port = z.number().int().min(0).max(65535);
const ms = z.number().int().min(0);

const oauthCredential = z.strictObject({
  mode: z.literal("oauth"),
  /** client_id / client_secret of the local application (Developer resources → Other → Local application). */
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** Token endpoint that refreshes the pair: Bitrix24's central server, or anything the box proxies to. */
  oauthServerUrl: z.url().default("https://oauth.bitrix.info/oauth/token/"),
  /** Lock lifetime of one refresh across processes. */
  refreshLockMs: ms.default(30_000),
});

const webhookCredential = z.strictObject({
  mode: z.literal("webhook"),
  /** Incoming webhook https://portal/rest/<user>/<code>/ — for a portal that cannot reach any OAuth server. */
  webhookUrl: z.url(),
});

export const b24AppConfigSchema = z.strictObject({
  http: z.strictObject({
    host: z.string().default("0.0.0.0"),
    port: port.default(8090),
    /** Base URL the portal reaches this app at (event handler and install URLs are built from it). */
    publicUrl: z.url(),
  }),
  portal: z.strictObject({
    /** The portal's address, e.g. https://b24.example.local (REST calls go to <url>/rest/). */
    url: z.url(),
    credential: z.discriminatedUnion("mode", [oauthCredential, webhookCredential]),
    /** Per-request timeout towards the portal. */
    timeoutMs: ms.default(120_000),
  }),
  install: z.strictObject({
    /** Secret part of the install URL (…/b24/install?key=…): only the admin who was shown it can install. */
    key: z.string().min(16),
  }),
  events: z
    .strictObject({
      /** online: the portal POSTs events to us; offline: we poll event.offline.get (portal cannot reach us). */
      mode: z.enum(["online", "offline"]).default("online"),
      pollIntervalMs: ms.min(100).default(2000),
      /** Extra accepted auth[application_token] values (e.g. of an outgoing webhook). */
      applicationTokens: z.array(z.string().min(8)).default([]),
    })
    .default({ mode: "online", pollIntervalMs: 2000, applicationTokens: [] }),
  redis: z
    .strictObject({
      /** redis:// (plain) or rediss:// (TLS); with `sentinel`, only its credentials and database count. */
      ...redisConnectionFields,
      /** Key prefix of the app's own keys (credentials, tokens, audit). */
      prefix: z
        .string()
        .regex(/^[A-Za-z0-9:_-]+$/)
        .default("ab24app"),
    })
    .superRefine(checkRedisTls)
    .default({ url: "redis://127.0.0.1:6379", prefix: "ab24app" }),
  /** The durable hand-over to the connector (the connector's clickToCall.queue names the same; contract in @asterisk-b24/common). */
  queue: z
    .strictObject({
      ...clickToCallQueueFields,
      /** Completed / failed jobs kept for inspection. */
      keep: z.number().int().min(0).default(1000),
    })
    .default({ ...CLICK_TO_CALL_QUEUE, keep: 1000 }),
  tokens: z.strictObject({
    /** PEM key pair (`b24-app keygen`): the private key signs connector tokens, the public key verifies them. */
    privateKeyFile: z.string().min(1),
    publicKeyFile: z.string().min(1),
    algorithm: z.enum(["ES256", "RS256"]).default("ES256"),
    issuer: z.string().min(1).default("asterisk-b24-app"),
    /** Lifetime of a newly issued token (practically endless by default: revoke instead). */
    defaultTtlDays: z.number().int().min(1).default(3650),
  }),
  /**
   * The connector this b24-app serves (optional): its HTTP address and the HTTP auth it has (`http.auth`
   * of the connector). The app's page shows its status and users ↔ extensions table through it, and the
   * CALL_CARD tab asks it what the PBX knows about a call. Without it those panels say "not linked".
   */
  connector: z
    .strictObject({
      url: z.url(),
      user: z.string().min(1).optional(),
      password: z.string().min(1).optional(),
      timeoutMs: ms.min(100).default(5000),
    })
    .refine((c) => (c.user === undefined) === (c.password === undefined), { message: "user and password go together", path: ["password"] })
    .optional(),
  audit: z.strictObject({ maxEntries: z.number().int().min(100).default(100_000) }).default({ maxEntries: 100_000 }),
  log: z.strictObject({ level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info") }).default({ level: "info" }),
});

export type B24AppConfig = z.infer<typeof b24AppConfigSchema>;
export type B24AppConfigInput = z.input<typeof b24AppConfigSchema>;

/** A configuration that cannot be used; `issues` name each wrong key by its path. */
export class B24AppConfigError extends ConfigError {
  override readonly name = "B24AppConfigError";
}

const ENV_OVERRIDES: EnvOverrides = [
  ["B24_APP_CLIENT_SECRET", ["portal", "credential", "clientSecret"]],
  ["B24_APP_WEBHOOK_URL", ["portal", "credential", "webhookUrl"]],
  ["B24_APP_INSTALL_KEY", ["install", "key"]],
  ["B24_APP_REDIS_URL", ["redis", "url"]],
  ["B24_APP_CONNECTOR_PASSWORD", ["connector", "password"]],
];

const appError = (source: string, issues: { path: string; message: string }[]) => new B24AppConfigError(source, issues);

export function parseB24AppConfig(raw: unknown, source = "configuration", env: NodeJS.ProcessEnv = process.env): B24AppConfig {
  return validateConfig(b24AppConfigSchema, raw, { source, env, overrides: ENV_OVERRIDES, error: appError });
}

export function loadB24AppConfig(path: string, env: NodeJS.ProcessEnv = process.env): B24AppConfig {
  return parseB24AppConfig(readJsonConfig(path, appError), path, env);
}
