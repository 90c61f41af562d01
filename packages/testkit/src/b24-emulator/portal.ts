/**
 * The emulated portal: options, clock, data, credentials, limits, faults, the request log and counters.
 * HTTP (server.ts), batch (batch.ts) and the method handlers (methods/*) all work on one Portal.
 */
import { formatPortalDate } from "./dates.js";
import { AuthManager, type AuthInfo } from "./auth.js";
import { BusinessError, RestError, wrongAuthType } from "./errors.js";
import { FaultInjector } from "./faults.js";
import { LeakyBucket, OperatingLimiter } from "./limiter.js";
import { PortalState } from "./state.js";
import type { B24EmulatorOptions, EmulatorStats, RequestLogEntry } from "./types.js";

export type Params = Record<string, unknown>;

/** A list method's answer: adds top-level `total` and (when there is a next page) `next`. */
export class ListResult {
  constructor(
    readonly items: unknown,
    readonly total: number,
    readonly next?: number,
  ) {}
}

export interface MethodContext {
  portal: Portal;
  auth: AuthInfo;
  params: Params;
  /** Lower-case method name. */
  method: string;
  viaBatch: boolean;
  requestId: number;
  sourceIp: string;
  /** Files of a multipart request, by field name. */
  files?: Map<string, { filename: string; content: Buffer; contentType: string }>;
}

export interface MethodDef {
  handler: (ctx: MethodContext) => unknown;
  /** register/finish/externalLine.*: OAuth, or webhook when webhookAllowedForTelephony (fact sheet §1.1). */
  telephonyGate?: boolean;
  /** event.*: OAuth, or webhook when webhookAllowedForEvents. */
  appOnly?: boolean;
  /** Cannot run inside batch (ERROR_BATCH_METHOD_NOT_ALLOWED). */
  notInBatch?: boolean;
}

function emptyStats(): EmulatorStats {
  return {
    requests: 0,
    batchCommands: 0,
    limitErrors: 0,
    operatingErrors: 0,
    authErrors: 0,
    status2xx: 0,
    status4xx: 0,
    status5xx: 0,
    faults: { latency: 0, s503: 0, s500: 0, reset: 0, hang: 0, outage: 0, s503After: 0, hangAfter: 0, resetAfter: 0 },
    byMethod: {},
    callsRegistered: 0,
    callsDeduplicated: 0,
    callsFinished: 0,
    activeCalls: 0,
    recordsAttached: 0,
    eventsDelivered: 0,
    eventsFailed: 0,
    eventsQueued: 0,
    tokenRefreshes: 0,
  };
}

export class Portal {
  readonly state = new PortalState();
  readonly auth: AuthManager;
  readonly bucket: LeakyBucket;
  readonly operating: OperatingLimiter;
  readonly faults: FaultInjector;
  readonly now: () => number;
  readonly tzOffsetMin: number;
  readonly domain: string;
  baseUrl = "http://127.0.0.1";
  /** The app's page ("Your handler path"), framed for placement DEFAULT; placement handlers must share its host. */
  appHandlerUrl: string | undefined;
  /** Method table, lower-case names (filled by registry.ts). */
  readonly methods = new Map<string, MethodDef>();
  counters: EmulatorStats = emptyStats();
  log: RequestLogEntry[] = [];
  private requestSeq = 0;
  private readonly maxLog: number;

  constructor(readonly options: B24EmulatorOptions) {
    this.now = options.now ?? Date.now;
    this.tzOffsetMin = options.tzOffsetMin ?? 180;
    this.domain = options.portal ?? "b24.test";
    this.appHandlerUrl = options.oauth?.handlerUrl;
    this.maxLog = options.maxLogEntries ?? 20_000;
    this.auth = new AuthManager(options, this.now, () => this.baseUrl);
    this.bucket = new LeakyBucket(options.limits === undefined ? { burst: 50, drainPerSec: 2 } : options.limits, this.now);
    this.operating = new OperatingLimiter(options.operatingLimit ?? false, this.now);
    this.faults = new FaultInjector(this.now);
    if (options.faults) this.faults.set(options.faults);
    this.seed();
  }

  seed(): void {
    this.state.seed({ users: this.options.users, contacts: this.options.contacts, leads: this.options.leads });
  }

  /** Back to the seeded data; logs, counters, limiter state and faults cleared. Credentials are kept. */
  reset(): void {
    this.state.clear();
    this.seed();
    this.counters = emptyStats();
    this.log = [];
    this.bucket.reset();
    this.operating.reset();
    this.faults.clear();
  }

  nextRequestId(): number {
    return ++this.requestSeq;
  }

  business(text: string): BusinessError {
    return new BusinessError(text, this.options.businessErrorCode ?? "");
  }

  /** The telephony auth-type gate (WRONG_AUTH_TYPE 403) and the app-only gate of event.* methods. */
  gate(def: MethodDef, auth: AuthInfo): void {
    if (auth.kind !== "webhook") return;
    if (def.telephonyGate && this.options.webhookAllowedForTelephony === false) throw wrongAuthType();
    if (def.appOnly && this.options.webhookAllowedForEvents !== true) throw wrongAuthType();
  }

  record(entry: Omit<RequestLogEntry, "id"> & { id?: number }): void {
    const full: RequestLogEntry = { ...entry, id: entry.id ?? this.nextRequestId() };
    this.log.push(full);
    if (this.log.length > this.maxLog) this.log.splice(0, this.log.length - this.maxLog);
    const c = this.counters;
    if (full.method) c.byMethod[full.method] = (c.byMethod[full.method] ?? 0) + 1;
    if (full.viaBatch) {
      c.batchCommands++;
      if (full.error === "OPERATION_TIME_LIMIT") c.operatingErrors++;
      return;
    }
    c.requests++;
    if (typeof full.status === "number") {
      if (full.status < 300) c.status2xx++;
      else if (full.status < 500) c.status4xx++;
      else c.status5xx++;
      if (full.status === 401) c.authErrors++;
    }
    if (full.error === "QUERY_LIMIT_EXCEEDED") c.limitErrors++;
    if (full.error === "OPERATION_TIME_LIMIT") c.operatingErrors++;
  }

  stats(): EmulatorStats {
    return {
      ...this.counters,
      faults: { ...this.counters.faults },
      byMethod: { ...this.counters.byMethod },
      activeCalls: this.state.active.size,
      tokenRefreshes: this.auth.refreshes,
    };
  }

  /** PHP `date('c')` in the portal zone. */
  date(ms: number): string {
    return formatPortalDate(ms, this.tzOffsetMin);
  }
}

export { RestError };
