import { checkRedisTls, redisConnectionFields, tlsClientSchema } from "@asterisk-b24/common";
import { z } from "zod";
import { hooksConfigSchema } from "../hooks/config.js";
import { clickToCallSchema } from "../click-to-call/config.js";
import { autodistributionSchema } from "../autodistribution/config.js";
import { trackerSettingsSchema } from "../tracker/config.js";
import { celConfigSchema } from "../cel/config.js";
import { reprocessSchema } from "../reprocess/config.js";

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
  /** AMI over TLS (manager.conf `tlsenable=yes`, `tlsbindaddr=0.0.0.0:5039`); absent: plain TCP. */
  tls: tlsClientSchema.optional(),
  username: z.string().min(1),
  secret: z.string().min(1),
  /** Per-action reply deadline. */
  actionTimeoutMs: ms.default(10_000),
  /** Keepalive: a Ping every pingIntervalMs; no Pong within pongTimeoutMs → the connection is dead. */
  pingIntervalMs: ms.default(15_000),
  pongTimeoutMs: ms.default(5_000),
  reconnect: z.strictObject({ initialDelayMs: ms.default(500), maxDelayMs: ms.default(30_000) }).default({ initialDelayMs: 500, maxDelayMs: 30_000 }),
  /** /status warns when the PBX clock is further off ours than this (0: never; replays have synthetic clocks). */
  clockSkewWarningSec: z.number().int().min(0).default(30),
});

/** The `tracker` section: defined once, next to the tracker that reads it. */
export const trackerSchema = trackerSettingsSchema;

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
  /** The pair from the app's installation; used only while Redis holds no newer (rotated) pair. */
  accessToken: z.string().min(1).optional(),
  refreshToken: z.string().min(1).optional(),
});
/** Through the b24-app's REST gateway with the token `b24-app-cli token issue` printed (portal credential stays in the b24-app). */
const gatewayAuth = z.strictObject({
  mode: z.literal("gateway"),
  /** e.g. http://b24-app.local:8090/gateway */
  gatewayUrl: z.url(),
  token: z.string().min(20),
});
export const b24Schema = z.strictObject({
  auth: z.discriminatedUnion("mode", [webhookAuth, oauthAuth, gatewayAuth]),
  /** Leaky bucket we keep to (cloud default 50 burst, 2/s; on-premise: raise or set drainPerSec high). */
  limits: z
    .strictObject({
      burst: z.number().int().min(1).default(50),
      drainPerSec: z.number().positive().default(2),
      /**
       * Requests of the burst left to others: every app calling the same portal from the same IP
       * (the b24-app's install and token refresh, other integrations) drains the same bucket.
       */
      safety: z.number().int().min(0).default(5),
    })
    .default({ burst: 50, drainPerSec: 2, safety: 5 }),
  /** Parallel batches in flight. */
  lanes: z.number().int().min(1).max(64).default(4),
  /** How long commands wait to be coalesced into one batch. */
  batchWindowMs: ms.max(1000).default(20),
  /** Per-request timeout: long on purpose (a slow box still accepts the call). */
  requestTimeoutMs: ms.default(120_000),
  /** A batch whose worker died is taken over by another worker after about this long. */
  jobLockMs: ms.min(1000).default(30_000),
  /** Portal key for the shared limiter and queue; default: the portal's host name. */
  portal: z
    .string()
    .regex(/^[A-Za-z0-9.:_-]+$/)
    .optional(),
});

export const redisSchema = z
  .strictObject({
    /** redis:// (plain) or rediss:// (TLS); with `sentinel`, only its credentials and database count. */
    ...redisConnectionFields,
    /** Key prefix: several connectors may share one Redis. */
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9:_-]+$/)
      .default("ab24"),
  })
  .superRefine(checkRedisTls);

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
  /** Post a call message to the manager's chat at finish (ADD_TO_CHAT). */
  addToChat: z.boolean().default(true),
  /** Long PBX extensions ↔ the short numbers Bitrix24 users have in UF_PHONE_INNER. */
  extensionMap: z.record(z.string(), z.string()).default({}),
  /** Rules for many extensions at once: strip a prefix (7701101 ↔ 101) or keep the last digits. */
  extensionRules: z
    .array(
      z.discriminatedUnion("kind", [
        z.strictObject({ kind: z.literal("strip-prefix"), prefix: z.string().regex(/^\d+$/) }),
        z.strictObject({ kind: z.literal("last-digits"), digits: z.number().int().min(1).max(10), pbxPrefix: z.string().regex(/^\d+$/).optional() }),
      ]),
    )
    .default([]),
  blacklist: z
    .strictObject({
      extensions: z.array(z.string()).default([]),
      trunks: z.array(z.string()).default([]),
      numbers: z.array(z.string()).default([]),
    })
    .default({ extensions: [], trunks: [], numbers: [] }),
  /** When not empty, only calls matching it (by extension, trunk or number) reach the CRM. */
  whitelist: z
    .strictObject({
      extensions: z.array(z.string()).default([]),
      trunks: z.array(z.string()).default([]),
      numbers: z.array(z.string()).default([]),
    })
    .default({ extensions: [], trunks: [], numbers: [] }),
  /** Default country rules for client numbers: 8XXXXXXXXXX → 7XXXXXXXXXX, local numbers get the area code. */
  phone: z
    .strictObject({
      countryCode: z
        .string()
        .regex(/^\d{1,3}$/)
        .default("7"),
      trunkPrefix: z.string().default("8"),
      localAreaCode: z.string().default(""),
    })
    .default({ countryCode: "7", trunkPrefix: "8", localAreaCode: "" }),
});

const userId = z.number().int().positive();

/**
 * Who is responsible for a missed call (Itgrix modes): 0 entity owner → last who rang → default;
 * 1 last who rang → default; 2 default. With `rangBeforeOwner` (default true) mode 0 puts the last
 * CRM manager whose phone rang before the entity owner: the owner only when no manager rang.
 */
export const responsibleSchema = z.strictObject({
  mode: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(0),
  rangBeforeOwner: z.boolean().default(true),
  defaultUserId: userId.optional(),
  /** Per line (DID or trunk name) default responsible. */
  byLine: z.record(z.string(), userId).default({}),
  /**
   * A call no rule gives a Bitrix24 user (nobody with a CRM user rang or answered, no entity owner,
   * no default) is registered and finished on the portal user the connector's credential belongs
   * to (`user.current`: the webhook's owner, or the administrator who installed the b24-app).
   * false: such a call is not registered (journalled as failed, counted in /status).
   */
  fallbackToCredentialUser: z.boolean().default(true),
  /** How often the credential's user is looked up again (`user.current`), minutes. */
  credentialUserRefreshMinutes: z.number().int().positive().default(360),
});

export const recordingsSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Where the PBX writes recordings (MIXMONITOR_FILENAME is absolute or relative to it). */
  monitorDir: z.string().default("/var/spool/asterisk/monitor"),
  /** Bare file names live under monitorDir/YYYY/MM/DD (FreePBX). */
  datedSubfolders: z.boolean().default(false),
  /** PBX path prefix → local path prefix (recordings mounted from another host). */
  mounts: z.array(z.strictObject({ pbx: z.string(), local: z.string() })).default([]),
  /** How long to wait for the file to exist and stop growing. */
  waitTimeoutMs: ms.default(30_000),
  /** wav → mp3 with ffmpeg (10 s limit, then the original is sent). */
  convertToMp3: z.boolean().default(false),
  /** file: upload to Bitrix24 (attachRecord); link: player in the activity; url: Bitrix24 downloads our signed URL. */
  attach: z.enum(["file", "link", "url"]).default("file"),
  /** Base URL Bitrix24 / managers reach the connector at (link and url modes). */
  publicBaseUrl: z.url().optional(),
  /** Secret for signed recording links (link and url modes). */
  linkSecret: z.string().min(16).optional(),
  /** Recording path from a database table when the call has no MIXMONITOR_FILENAME. */
  lookup: z
    .strictObject({
      driver: z.enum(["mysql", "postgres"]),
      connection: z.string().min(1),
      /** SQL with :uniqueid / :linkedid parameters, returning the path in the first column. */
      query: z.string().min(1),
    })
    .optional(),
});

export const extrasSchema = z.strictObject({
  /** tasks.task.add for a missed incoming call (and optionally an unanswered outgoing one). */
  missedCallTask: z
    .strictObject({ enabled: z.boolean().default(false), createdBy: userId.optional(), deadlineMinutes: z.number().int().min(1).default(60), outbound: z.boolean().default(false) })
    .default({ enabled: false, deadlineMinutes: 60, outbound: false }),
  /** Notice to a manager whose extension was dialled but who never got the call. */
  unreachedNotice: z.strictObject({ enabled: z.boolean().default(false) }).default({ enabled: false }),
  /** Activity deadline (minutes from now) and completion per kind of call. */
  activity: z
    .strictObject({
      deadlineMinutes: z
        .partialRecord(z.enum(["inbound-answered", "inbound-missed", "outbound-answered", "outbound-unanswered", "ivr-missed"]), z.number().int().min(0))
        .default({}),
      complete: z.array(z.enum(["inbound-answered", "inbound-missed", "outbound-answered", "outbound-unanswered", "ivr-missed"])).default([]),
    })
    .default({ deadlineMinutes: {}, complete: [] }),
});

export const licenseSchema = z.strictObject({
  /** The licence file from the vendor; missing = evaluation mode. */
  file: z.string().default("/etc/asterisk-b24/license.jwt"),
  /** Vendor public key (only for builds without an embedded key: development, tests). */
  publicKeyFile: z.string().optional(),
  /** Days an expired licence keeps working (with a warning) before new calls are refused. */
  graceDays: z.number().int().min(0).default(14),
  /** Remembers which operators were served first (the licensed ones), across restarts. */
  usageFile: z.string().optional(),
  machineIdPaths: z.array(z.string()).optional(),
  /** The demo (`pnpm demo`): evaluation is expected there, shown as "demo, evaluation licence" without a warning. */
  demo: z.boolean().default(false),
});

export const httpSchema = z.strictObject({
  host: z.string().default("0.0.0.0"),
  port: port.default(8077),
  /** HTTP Basic credentials for /status, /metrics and the admin API (recommended). */
  auth: z.strictObject({ user: z.string().min(1), password: z.string().min(8) }).optional(),
});

/** Queue and manager figures (console, /api/figures, /metrics). */
export const figuresSchema = z.strictObject({
  /** Zone of "today" and of the day / hour buckets: an IANA name, "UTC" or "+03:00". Default: cel.timezone, else this machine's zone. */
  timeZone: z.string().min(1).optional(),
  /** A queue call answered within this many seconds of joining counts for the service level. */
  serviceLevelSeconds: z.number().int().min(1).max(3600).default(20),
  /** How long each call's figures are kept. */
  retentionDays: z.number().int().min(1).max(400).default(93),
});

export const connectorConfigSchema = z.strictObject({
  ami: amiSchema,
  tracker: trackerSchema.default(trackerSchema.parse({})),
  b24: b24Schema,
  redis: redisSchema.default(redisSchema.parse({})),
  product: productSchema.default(productSchema.parse({})),
  http: httpSchema.default(httpSchema.parse({})),
  responsible: responsibleSchema.default(responsibleSchema.parse({})),
  recordings: recordingsSchema.default(recordingsSchema.parse({})),
  extras: extrasSchema.default(extrasSchema.parse({})),
  hooks: hooksConfigSchema.default(hooksConfigSchema.parse({})),
  license: licenseSchema.default(licenseSchema.parse({})),
  /** Calls handled at the same time (each strictly in order). Many calls waiting on Bitrix24 at once is what fills batches. */
  pipeline: z.strictObject({ concurrency: z.number().int().min(1).max(10_000).default(512) }).default({ concurrency: 512 }),
  usersCache: z.strictObject({ refreshMinutes: z.number().min(0).default(15) }).default({ refreshMinutes: 15 }),
  /** Graceful stop: how long each step (stages in progress, Bitrix24 batches in flight…) may take before it is left pending for the next start. */
  stop: z.strictObject({ graceMs: z.number().int().min(0).max(60_000).default(5000) }).default({ graceMs: 5000 }),
  log: z.strictObject({ level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info") }).default({ level: "info" }),
  clickToCall: clickToCallSchema.default(clickToCallSchema.parse({})),
  autodistribution: autodistributionSchema.default(autodistributionSchema.parse({})),
  /** Asterisk's CEL/CDR store, to rebuild calls for reprocessing (docs/cel.md). Optional. */
  cel: celConfigSchema.optional(),
  /** Reprocessing: schedule, priority lanes, reports (docs/reprocessing.md). */
  reprocess: reprocessSchema.default(reprocessSchema.parse({})),
  figures: figuresSchema.default(figuresSchema.parse({})),
});

export type ConnectorConfig = z.infer<typeof connectorConfigSchema>;
export type ConnectorConfigInput = z.input<typeof connectorConfigSchema>;
