/** Public types of the Bitrix24 REST emulator (options, seeds, inspection records). */

export interface SeedUser {
  ID: number;
  NAME: string;
  LAST_NAME?: string;
  EMAIL?: string;
  UF_PHONE_INNER?: string;
  ACTIVE?: boolean;
  PERSONAL_MOBILE?: string;
  WORK_PHONE?: string;
  PERSONAL_PHONE?: string;
  /** Admin right (offline events); default true for user 1, false for others. */
  IS_ADMIN?: boolean;
  /** Time tracking state reported by searchCrmEntities (default "UNAVAILABLE"). */
  TIMEMAN_STATUS?: "OPENED" | "CLOSED" | "PAUSED" | "EXPIRED" | "UNAVAILABLE" | "NOT_INSTALLED";
}

export interface SeedPhone {
  VALUE: string;
  VALUE_TYPE: string;
}

export interface SeedContact {
  ID: number;
  NAME: string;
  LAST_NAME?: string;
  ASSIGNED_BY_ID: number;
  PHONE: SeedPhone[];
  EMAIL?: SeedPhone[];
  [field: string]: unknown;
}

export interface SeedLead {
  ID: number;
  TITLE: string;
  NAME?: string;
  LAST_NAME?: string;
  ASSIGNED_BY_ID: number;
  STATUS_ID?: string;
  SOURCE_ID?: string;
  PHONE: SeedPhone[];
  EMAIL?: SeedPhone[];
  [field: string]: unknown;
}

export interface LimitsConfig {
  /** Bucket size X: the request that would push the counter above X is rejected. */
  burst: number;
  /** Drain rate Y in requests per second. */
  drainPerSec: number;
}

export interface OperatingLimitConfig {
  /** Budget per (credential, method) inside the window, seconds (cloud example: 480). */
  limitSec: number;
  /** Window length, seconds (cloud: 600 = ten one-minute buckets). */
  windowSec: number;
  /**
   * Simulated execution time booked per call, seconds. The emulator's own handlers take microseconds, so tests
   * set this to make the budget reachable. A function gets the lower-case method name. Default: measured time.
   */
  costSec?: number | ((method: string) => number);
  /**
   * How a batch is charged (fact sheet §4 DISAGREE). "batch" (default, measured by the SDK maintainers, PR #539):
   * the HTTP call is booked under method `batch`, inner calls are not checked and every sub-result shows the batch's
   * figure. "inner" (docs): the outer batch is free; each sub-call is checked and booked under its own method.
   */
  batchAccounting?: "batch" | "inner";
}

/** How likely each fault is for one REST request (0..1 each; the shares add up, the rest is answered normally). */
export interface FaultShares {
  /** Answered with a gateway 503 (HTML body, not the REST JSON) BEFORE the portal ran the request. */
  share503?: number;
  /** Answered 500 `INTERNAL_SERVER_ERROR` (not run). */
  share500?: number;
  /** TCP connection reset without an answer (not run). */
  shareReset?: number;
  /** Never answered (until the client gives up or the emulator closes); not run. */
  shareHang?: number;
  /** The portal RAN the request, then a proxy in front of it answered a bare gateway 503 (HTML). */
  share503After?: number;
  /** The portal RAN the request, then the answer never came (the client's timeout ends it). */
  shareHangAfter?: number;
  /** The portal RAN the request, then the connection was reset before the answer. */
  shareResetAfter?: number;
}

export interface FaultsConfig extends FaultShares {
  /** Delay before every REST answer, ms; with `latencyMaxMs`, the least delay of a seeded uniform draw. */
  latencyMs?: number;
  /** Random latency: each request waits a seeded uniform draw in [latencyMs, latencyMaxMs] ms. */
  latencyMaxMs?: number;
  /**
   * Per-method shares (lower-case method names): a request to one of them — or a batch with a command
   * of one of them (the first listed that the batch carries) — uses these shares instead of the ones above.
   */
  methods?: Record<string, FaultShares>;
  /** Full outage starting now for this many ms: every REST request fails (see outageMode). */
  outageMs?: number;
  /** How the outage looks: "503" gateway answers (default) or "reset" connections. */
  outageMode?: "503" | "reset";
  /** Seed of the fault dice (and of the latency draws, a separate stream), for reproducible runs (default 1). */
  seed?: number;
}

export interface B24EmulatorOptions {
  /** 0 / omitted = ephemeral. Always bound to 127.0.0.1. */
  port?: number;
  /** Portal domain, e.g. "b24.test" (default "b24.test"). */
  portal?: string;
  /** Incoming webhook: `emu.webhookUrl` = http://127.0.0.1:P/rest/<userId>/<code>/ */
  webhook?: { userId: number; code: string };
  /** OAuth app (local app). */
  oauth?: {
    clientId: string;
    clientSecret: string;
    /** Access-token lifetime, seconds (default 3600). */
    accessTtlSec?: number;
    /** Refresh-token lifetime, seconds (default 180 days). */
    refreshTtlSec?: number;
    /** Per-install secret sent as `auth[application_token]` with events (default: random hex). */
    applicationToken?: string;
    /** User the app is installed by (token owner; default 1). */
    userId?: number;
    /** Numeric REST app id (REST_APP_ID of lines and calls; default 1). */
    appId?: number;
    /** App name (REST_APP_NAME in finish results; default "Asterisk connector"). */
    appName?: string;
    scope?: string;
    /** The app's page ("Your handler path"): what the portal frames for placement DEFAULT (`setAppHandlerUrl` changes it). */
    handlerUrl?: string;
  };
  /** Leaky bucket per portal + source IP; default 50 / 2 per second; false = off (on-premise). */
  limits?: LimitsConfig | false;
  /** Per-(credential, method) operating-time budget → 429 OPERATION_TIME_LIMIT; default off. */
  operatingLimit?: OperatingLimitConfig | false;
  users?: SeedUser[];
  contacts?: SeedContact[];
  leads?: SeedLead[];
  /** register/finish/externalLine.* allowed with an incoming webhook (source: yes, docs: no). Default true. */
  webhookAllowedForTelephony?: boolean;
  /** event.bind / event.get / event.unbind allowed with an incoming webhook (docs: app-only). Default false. */
  webhookAllowedForEvents?: boolean;
  /** `error` code of business errors: "" (source, default) or "ERROR_CORE" (docs tables). */
  businessErrorCode?: "" | "ERROR_CORE";
  /** Portal time zone, minutes east of UTC, used in dates it prints and dates without a zone (default 180, MSK). */
  tzOffsetMin?: number;
  /** Clock in ms (default Date.now). Tests pass a fake one to drive the bucket, token expiry and de-dup windows. */
  now?: () => number;
  /** Initial faults. */
  faults?: FaultsConfig;
  /** Keep at most this many request-log entries (default 20000). */
  maxLogEntries?: number;
  /**
   * The 30-minute register de-duplication key includes EXTERNAL_CALL_ID (portals since 2026-03, default true).
   * false = an older portal (many boxes): two unfinished calls with the same USER_ID, number, TYPE and line share
   * one CALL_ID whatever EXTERNAL_CALL_ID says (b24-rest-docs#175). The value is still recorded for inspection.
   */
  dedupByExternalCallId?: boolean;
}

export interface CardEvent {
  USER_ID: number;
  at: number;
}

export interface RecordInfo {
  FILE_ID: number;
  name: string;
  size: number;
  via: "content" | "url" | "upload";
  url?: string;
  at: number;
  /** Download path on the emulator (GET). */
  downloadUrl: string;
}

export interface CallRecord {
  CALL_ID: string;
  /** Parameters of the register call (or the portal's own registration for click-to-call). */
  registerParams: Record<string, unknown>;
  registeredAt: number;
  registeredBy: "webhook" | "oauth" | "portal";
  direction: "outgoing" | "incoming" | "incoming-redirect" | "callback" | "info";
  TYPE: number;
  USER_ID: number;
  PHONE_NUMBER: string;
  LINE_NUMBER: string | null;
  EXTERNAL_CALL_ID: string | null;
  REST_APP_ID: number | null;
  CRM_ENTITY_TYPE: string | null;
  CRM_ENTITY_ID: number | null;
  CRM_CREATED_LEAD: number | null;
  /** How many times a duplicate register returned this CALL_ID. */
  reRegistrations: number;
  shows: CardEvent[];
  hides: CardEvent[];
  finish?: { params: Record<string, unknown>; at: number; result: Record<string, unknown> };
  records: RecordInfo[];
  activity?: Record<string, unknown>;
  clickToCall?: boolean;
}

export interface RequestLogEntry {
  at: number;
  /** Lower-case method name as looked up ("" for a request that never got that far). */
  method: string;
  viaBatch: boolean;
  status: number | "reset" | "hang";
  error?: string;
  sourceIp: string;
  auth: "webhook" | "oauth" | null;
  /** For sub-calls: the HTTP request id of the enclosing batch. */
  batchOf?: number;
  id: number;
  fault?: string;
}

export interface EmulatorStats {
  /** HTTP requests to /rest/ (batch = 1). */
  requests: number;
  /** Sub-commands executed inside batches. */
  batchCommands: number;
  /** 503 QUERY_LIMIT_EXCEEDED answers. */
  limitErrors: number;
  /** 429 OPERATION_TIME_LIMIT answers (HTTP + inside batches). */
  operatingErrors: number;
  /** 401 answers. */
  authErrors: number;
  /** HTTP answers by class (faults included). */
  status2xx: number;
  status4xx: number;
  status5xx: number;
  /** Injected faults by kind. */
  /** `*After`: the portal ran the request, then the answer was lost (503 page, hang, reset). */
  faults: { latency: number; s503: number; s500: number; reset: number; hang: number; outage: number; s503After: number; hangAfter: number; resetAfter: number };
  byMethod: Record<string, number>;
  callsRegistered: number;
  callsDeduplicated: number;
  callsFinished: number;
  activeCalls: number;
  recordsAttached: number;
  eventsDelivered: number;
  eventsFailed: number;
  eventsQueued: number;
  tokenRefreshes: number;
}
