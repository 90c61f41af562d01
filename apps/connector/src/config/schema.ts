import { z } from "zod";

/**
 * The connector's configuration. Every key has a default that suits a FreePBX host with a
 * cloud Bitrix24, so a minimal file names only the AMI login and the Bitrix24 credential.
 * Validated once at start; an error names the path of the wrong key.
 */

const port = z.number().int().min(0).max(65535);
const ms = z.number().int().min(0);

export const amiSchema = z.strictObject({
  host: z.string().min(1).default("127.0.0.1"),
  port: port.default(5038),
  username: z.string().min(1),
  secret: z.string().min(1),
  /** Per-action reply deadline. */
  actionTimeoutMs: ms.default(10_000),
  /** Keepalive: a Ping every pingIntervalMs; no Pong within pongTimeoutMs → the connection is dead. */
  pingIntervalMs: ms.default(15_000),
  pongTimeoutMs: ms.default(5_000),
  reconnect: z
    .strictObject({ initialDelayMs: ms.default(500), maxDelayMs: ms.default(30_000) })
    .default({ initialDelayMs: 500, maxDelayMs: 30_000 }),
});

export const trackerSchema = z.strictObject({
  /** Which numbers are employees' extensions (everything else on a channel is a trunk or a client). */
  internalNumberPattern: z.string().default("^\\d{2,5}$"),
  /** Optional: endpoint names that are trunks even if they look like extensions. */
  trunks: z.array(z.string()).default([]),
  /** Groups that are not in the CRM (e.g. a support queue): their conversations are kept apart. */
  nonCrmQueues: z.array(z.string()).default([]),
  nonCrmExtensions: z.array(z.string()).default([]),
  /** Channel variable that carries Bitrix24's CALL_ID on click-to-call originates. */
  clickToCallVariable: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default("CRM_CALL_ID"),
  /** Calls with no event for this long are closed (lost Hangup, missed reconnect). */
  staleCallMs: ms.default(12 * 3600_000),
});

const webhookAuth = z.strictObject({
  mode: z.literal("webhook"),
  /** https://portal/rest/<user>/<code>/ */
  webhookUrl: z.url(),
});
const oauthAuth = z.strictObject({
  mode: z.literal("oauth"),
  portalUrl: z.url(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** Bitrix24's central OAuth server, or a box's own token endpoint. */
  oauthServerUrl: z.url().default("https://oauth.bitrix.info/oauth/token/"),
});
const gatewayAuth = z.strictObject({
  mode: z.literal("gateway"),
  /** The b24-app REST gateway, e.g. http://b24-app:8090/gateway/ */
  gatewayUrl: z.url(),
  /** Long-lived connector token issued by the b24-app (`b24-app token issue`). */
  token: z.string().min(20),
});

export const b24Schema = z.strictObject({
  auth: z.discriminatedUnion("mode", [webhookAuth, oauthAuth, gatewayAuth]),
  /** Leaky bucket we keep to (cloud default 50 burst, 2/s; on-premise: raise or set drainPerSec high). */
  limits: z
    .strictObject({ burst: z.number().int().min(1).default(50), drainPerSec: z.number().positive().default(2) })
    .default({ burst: 50, drainPerSec: 2 }),
  /** Parallel batches in flight. */
  lanes: z.number().int().min(1).max(64).default(4),
  /** How long commands wait to be coalesced into one batch. */
  batchWindowMs: ms.max(1000).default(20),
  /** Per-request timeout: long on purpose (a slow box still accepts the call). */
  requestTimeoutMs: ms.default(120_000),
});

export const redisSchema = z.strictObject({
  url: z.string().default("redis://127.0.0.1:6379"),
  /** Key prefix: several connectors may share one Redis. */
  prefix: z.string().regex(/^[A-Za-z0-9:_-]+$/).default("ab24"),
});

export const productSchema = z.strictObject({
  /** When managers see the call card: while their phone rings, or only the one who answers. */
  cardMode: z.enum(["ringing", "answer"]).default("ringing"),
  /** Per-extension override of cardMode. */
  cardModeByExtension: z.record(z.string(), z.enum(["ringing", "answer", "never"])).default({}),
  registerInternalCalls: z.boolean().default(false),
  crmCreate: z.boolean().default(true),
  /** CRM_SOURCE per line (DID); "*" is the fallback. */
  crmSourceByLine: z.record(z.string(), z.string()).default({}),
  /** External line names registered at start-up (telephony.externalLine.add). */
  lines: z.record(z.string(), z.string()).default({}),
  /** Missed calls: entity owner → last manager who rang → this user. */
  defaultResponsibleUserId: z.number().int().positive().optional(),
  /** Long PBX extensions ↔ the short numbers Bitrix24 users have in UF_PHONE_INNER. */
  extensionMap: z.record(z.string(), z.string()).default({}),
  blacklist: z
    .strictObject({
      extensions: z.array(z.string()).default([]),
      trunks: z.array(z.string()).default([]),
      numbers: z.array(z.string()).default([]),
    })
    .default({ extensions: [], trunks: [], numbers: [] }),
  /** Default country rules for client numbers: 8XXXXXXXXXX → 7XXXXXXXXXX, local numbers get the area code. */
  phone: z
    .strictObject({ countryCode: z.string().regex(/^\d{1,3}$/).default("7"), trunkPrefix: z.string().default("8"), localAreaCode: z.string().default("") })
    .default({ countryCode: "7", trunkPrefix: "8", localAreaCode: "" }),
});

export const httpSchema = z.strictObject({
  host: z.string().default("0.0.0.0"),
  port: port.default(8077),
});

export const connectorConfigSchema = z.strictObject({
  ami: amiSchema,
  tracker: trackerSchema.default(trackerSchema.parse({})),
  b24: b24Schema,
  redis: redisSchema.default(redisSchema.parse({})),
  product: productSchema.default(productSchema.parse({})),
  http: httpSchema.default(httpSchema.parse({})),
  log: z.strictObject({ level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info") }).default({ level: "info" }),
});

export type ConnectorConfig = z.infer<typeof connectorConfigSchema>;
export type ConnectorConfigInput = z.input<typeof connectorConfigSchema>;
