/**
 * The connector assembled: AMI → tracker (engine) → outbox (Redis) → worker pool → stage
 * pipeline → hooks → batched Bitrix24 client; plus the journal, /status, /metrics, recordings
 * and the hooks API. Reading order follows a call: ami → tracker → stages → hooks → crm.
 */
import type { Server } from "node:http";
import { Redis } from "ioredis";
import { Router } from "express";
import type { Logger } from "pino";
import { AmiClient, AmiMessage, type AmiActionResult } from "@asterisk-b24/ami";
import { redisOptions } from "@asterisk-b24/common";
import type { ConnectorConfig } from "../config/index.js";
import { B24Client, gatewayAuth, oauthAuth, webhookAuth, type B24AuthMode, type B24ClientOptions } from "../crm/index.js";
import { createHookApiRouter, createHookRunner, HookApiTokens, type HookRunner } from "../hooks/index.js";
import { Metrics } from "../http/metrics.js";
import { createHttpApp, listen } from "../http/server.js";
import { StatusRegistry } from "../http/status.js";
import { Journal } from "../journal/index.js";
import { CallOutbox } from "../pipeline/call-outbox.js";
import { CallWorkerPool } from "../pipeline/call-worker-pool.js";
import { createDbRecordingLookup, createRecordingsRouter, type RecordingLookup } from "../recordings/index.js";
import { clientGateway, fetchUploader, type CrmGateway } from "../stages/b24-client-port.js";
import { CrmStateStore } from "../stages/crm-state.js";
import { createExtensionMap } from "../stages/parts/extension-map.js";
import { createLists } from "../stages/parts/lists.js";
import { UsersCache } from "../stages/parts/users-cache.js";
import { CallPipeline } from "../stages/pipeline.js";
import type { PipelineDeps } from "../stages/deps.js";
import { RECORDINGS_HTTP_PATH } from "../stages/record.js";
import type { StageEvent } from "../tracker/index.js";
import { CONNECTOR_VERSION } from "../version.js";
import { TrackerEngine } from "./tracker-engine.js";
import { createConnectorLicense, LicenseStartError, type ConnectorLicense } from "../license/connector-license.js";
import { ClickToCallService } from "../click-to-call/index.js";
import { Autodistribution, createAutodistributionRouter, FastAgiServer } from "../autodistribution/index.js";
import { Reprocessing } from "../reprocess/index.js";

export interface OriginateRequest {
  channel: string;
  context: string;
  exten: string;
  priority?: number | string;
  callerId?: string;
  timeoutMs?: number;
  variables?: Record<string, string>;
}

export interface ConnectorOptions {
  config: ConnectorConfig;
  logger: Logger;
  /** Called for every stage event once it is durable (demo output, tests). */
  onStage?: (event: StageEvent) => void;
  /** Called after a call's last stage was handled (demo output, tests). */
  onCallDone?: (callKey: string) => void;
  /** Listen for HTTP (default true). */
  http?: boolean;
}

function portalOf(config: ConnectorConfig): string {
  if (config.b24.portal) return config.b24.portal;
  const a = config.b24.auth;
  const url = a.mode === "webhook" ? a.webhookUrl : a.mode === "gateway" ? a.gatewayUrl : a.portalUrl;
  return new URL(url).host;
}

function authFor(config: ConnectorConfig): B24AuthMode {
  const auth = config.b24.auth;
  if (auth.mode === "webhook") return webhookAuth(auth.webhookUrl);
  if (auth.mode === "gateway") return gatewayAuth(auth.gatewayUrl, auth.token);
  const restUrl = new URL("/rest/", auth.portalUrl).toString();
  return oauthAuth({
    restUrl,
    tokenUrl: auth.oauthServerUrl,
    clientId: auth.clientId,
    clientSecret: auth.clientSecret,
    ...(auth.refreshToken ? { initialTokens: { access_token: auth.accessToken ?? "", refresh_token: auth.refreshToken, expires: 0 } as never } : {}),
  });
}


export class Connector {
  readonly config: ConnectorConfig;
  readonly log: Logger;
  readonly metrics = new Metrics();
  readonly status = new StatusRegistry(CONNECTOR_VERSION);
  readonly redis: Redis;
  readonly outbox: CallOutbox;
  readonly journal: Journal;
  readonly crmState: CrmStateStore;
  readonly b24: B24Client;
  readonly gateway: CrmGateway;
  readonly users: UsersCache;
  readonly hooks: HookRunner;
  readonly hookTokens = new HookApiTokens();
  readonly engine: TrackerEngine;
  readonly pool: CallWorkerPool;
  readonly ami: AmiClient;
  recordingLookup: RecordingLookup | undefined;
  readonly license: ConnectorLicense;
  #licenseTimer: NodeJS.Timeout | undefined;
  readonly #pipelineDeps: PipelineDeps;
  #server: Server | undefined;
  #httpPort = 0;
  #expireTimer: NodeJS.Timeout | undefined;
  #amiConnected = false;
  #lastReconcile: { at: number; live: number; closed: number } | undefined;
  #reconcileId: string | undefined;
  #reconcileList: AmiMessage[] = [];
  #stopped = false;
  /** Click-to-call (OnExternalCallStart from the b24-app's queue) and autodistribution, when enabled. */
  readonly clickToCall: ClickToCallService | undefined;
  readonly autodistribution: Autodistribution | undefined;
  /** Reprocessing: runs, schedule, reports, error statistics (issue 10). */
  readonly reprocess: Reprocessing;
  #fastAgi: FastAgiServer | undefined;
  fastAgiPort = 0;

  constructor(readonly options: ConnectorOptions) {
    const config = (this.config = options.config);
    const log = (this.log = options.logger);
    // First, before any connection: a licence that is not valid stops the start with its reason,
    // and so does a PBX or portal beyond the licensed number.
    this.license = createConnectorLicense(config.license, log);
    const pbx = `${config.ami.host}:${config.ami.port}`;
    if (!this.license.guard.isPbxAllowed(pbx)) throw new LicenseStartError(`the licence does not cover another PBX (${pbx}): ${this.license.guard.status().message}`);
    if (!this.license.guard.isPortalAllowed(portalOf(config))) throw new LicenseStartError(`the licence does not cover another Bitrix24 portal (${portalOf(config)}): ${this.license.guard.status().message}`);
    const prefix = config.redis.prefix;
    const redisOpts = redisOptions(config.redis.url);
    this.redis = new Redis({ ...redisOpts, maxRetriesPerRequest: null });
    this.redis.on("error", (err) => log.warn({ err: err.message }, "redis error"));
    this.outbox = new CallOutbox(this.redis, prefix);
    this.journal = new Journal(this.redis, prefix);
    this.crmState = new CrmStateStore(this.redis, prefix);

    const b24Options: B24ClientOptions = {
      portal: portalOf(config),
      auth: authFor(config),
      redis: redisOpts,
      prefix: `${prefix}:b24`,
      batch: { windowMs: config.b24.batchWindowMs },
      lanes: config.b24.lanes,
      limits: config.b24.limits,
      http: { timeoutMs: config.b24.requestTimeoutMs },
      queue: { lockDurationMs: config.b24.jobLockMs, stalledIntervalMs: Math.max(500, Math.round(config.b24.jobLockMs / 2)) },
      logger: log.child({ component: "b24" }),
    };
    this.b24 = new B24Client(b24Options);
    this.gateway = clientGateway(this.b24, fetchUploader(config.b24.requestTimeoutMs));
    this.users = new UsersCache({
      port: this.gateway,
      refreshIntervalMs: config.usersCache.refreshMinutes * 60_000,
      phoneRules: config.product.phone,
      onError: (err) => log.warn({ err: (err as Error).message }, "users cache refresh failed"),
    });
    this.hooks = createHookRunner({
      config: config.hooks,
      b24: { call: (method, params) => this.gateway.call(method, params as Record<string, unknown>) },
      api: { url: `http://127.0.0.1:${config.http.port}/hooks-api`, tokens: this.hookTokens },
      errorSink: async (rec) => {
        if (rec.callId) await this.journal.record(rec.callId, { kind: "error", error: { type: rec.error.name, message: `${rec.hook}: ${rec.error.message}` } });
        this.metrics.inc("ab24_hook_errors_total", { hook: rec.hook, kind: rec.error.kind });
      },
      logger: log,
    });
    const pipeline = new CallPipeline((this.#pipelineDeps = {
      config,
      gateway: this.gateway,
      users: this.users,
      hooks: this.hooks,
      journal: this.journal,
      crmState: this.crmState,
      extensionMap: createExtensionMap({ explicit: config.product.extensionMap, rules: config.product.extensionRules }),
      lists: createLists({ blacklist: config.product.blacklist, whitelist: config.product.whitelist, phoneRules: config.product.phone }),
      logger: log.child({ component: "pipeline" }),
      metrics: this.metrics,
      license: this.license.guard,
    }));
    this.pool = new CallWorkerPool(
      this.outbox,
      async (callKey, stage, index) => {
        await pipeline.handle(callKey, stage, index);
        if ((stage as StageEvent).stage === "call_ended") options.onCallDone?.(callKey);
      },
      { concurrency: config.pipeline.concurrency, logger: log.child({ component: "calls" }) },
    );
    this.engine = new TrackerEngine({
      config: config.tracker,
      outbox: this.outbox,
      logger: log.child({ component: "tracker" }),
      onStage: (ev) => {
        this.metrics.inc("ab24_stage_events_total", { stage: ev.stage });
        options.onStage?.(ev);
      },
    });
    this.ami = new AmiClient({
      host: config.ami.host,
      port: config.ami.port,
      username: config.ami.username,
      secret: config.ami.secret,
      actionTimeoutMs: config.ami.actionTimeoutMs,
      keepalive: { intervalMs: config.ami.pingIntervalMs, timeoutMs: config.ami.pongTimeoutMs },
      reconnect: { initialDelayMs: config.ami.reconnect.initialDelayMs, maxDelayMs: config.ami.reconnect.maxDelayMs },
      logger: log.child({ component: "ami" }),
    });
    // click-to-call / autodistribution (issue 5)
    const extensionMap = this.#pipelineDeps.extensionMap;
    this.clickToCall = config.clickToCall.enabled
      ? new ClickToCallService({
          config: config.clickToCall,
          variable: config.tracker.clickToCallVariable,
          connection: redisOptions(config.redis.url),
          redis: this.redis,
          redisPrefix: prefix,
          users: this.users,
          extensionMap,
          hooks: this.hooks,
          b24: this.gateway,
          originate: (call) => this.originate(call),
          amiConnected: () => this.#amiConnected,
          metrics: this.metrics,
          logger: log.child({ component: "click-to-call" }),
        })
      : undefined;
    this.autodistribution = config.autodistribution.enabled
      ? new Autodistribution({ config: config.autodistribution, b24: this.gateway, users: this.users, extensionMap, hooks: this.hooks, metrics: this.metrics, logger: log.child({ component: "autodistribution" }) })
      : undefined;
    this.#registerStatus();
    this.reprocess = new Reprocessing({ config, live: this.#pipelineDeps, redis: this.redis, connection: redisOpts as never, outbox: this.outbox, createClient: (o) => new B24Client({ ...b24Options, auth: authFor(config), ...o }), logger: log.child({ component: "reprocess" }), metrics: this.metrics });
    this.reprocess.registerStatus(this.status);
  }

  get httpPort(): number {
    return this.#httpPort;
  }

  /** Starts every part; resolves when AMI is connected (or keeps retrying in the background). */
  async start(): Promise<void> {
    const log = this.log;
    await this.openRecordingLookup();
    const restored = await this.engine.restore();
    if (restored > 0) log.info({ calls: restored }, "resumed calls in progress from Redis");
    await this.users.refresh().catch((err: Error) => log.warn({ err: err.message }, "users cache: first load failed, will retry"));
    this.users.start();
    await this.registerLines();
    this.pool.start();
    this.reprocess.start().catch((err: Error) => log.error({ err: err.message }, "reprocessing could not start"));
    this.clickToCall?.start();
    if (this.autodistribution && this.config.autodistribution.fastagi.enabled) {
      const fa = this.config.autodistribution.fastagi;
      const resolver = this.autodistribution;
      this.#fastAgi = new FastAgiServer({ host: fa.host, port: fa.port, resolve: (q) => resolver.resolve(q), logger: log.child({ component: "fastagi" }) });
      this.fastAgiPort = await this.#fastAgi.start();
      log.info({ port: this.fastAgiPort }, "FastAGI listening");
    }

    if (this.options.http !== false) {
      const routers: Array<{ path: string; router: Router; public?: boolean }> = [
        { path: "/hooks-api", router: createHookApiRouter({ b24: { call: (m, p) => this.gateway.call(m, p as Record<string, unknown>) }, tokens: this.hookTokens }), public: true },
        { path: "/api", router: this.#apiRouter() },
        { path: "/api", router: this.reprocess.router() },
      ];
      if (this.config.recordings.linkSecret) {
        routers.push({ path: RECORDINGS_HTTP_PATH, router: createRecordingsRouter({ root: this.config.recordings.monitorDir, secret: this.config.recordings.linkSecret }), public: true });
      }
      if (this.autodistribution && this.config.autodistribution.http.enabled) {
        routers.push({ path: "/autodistribution", router: createAutodistributionRouter(this.autodistribution, this.config.autodistribution.http.token), public: true });
      }
      const app = createHttpApp({ status: this.status, metrics: this.metrics, ...(this.config.http.auth ? { auth: this.config.http.auth } : {}), routers, logger: log });
      const { server, port } = await listen(app, this.config.http.port, this.config.http.host);
      this.#server = server;
      this.#httpPort = port;
      log.info({ port }, "http listening");
    }

    this.ami.consume(async (message: AmiMessage) => {
      // The CoreShowChannels snapshot is applied at its own place in the event stream.
      if (this.#reconcileId !== undefined && message.actionId === this.#reconcileId) return this.#onReconcileMessage(message);
      this.clickToCall?.observe(message);
      const events = await this.engine.handle(message);
      if (events.length > 0) this.pool.notify();
    });
    this.ami.on("connected", (info: { reconnect: boolean }) => {
      this.#amiConnected = true;
      log.info({ reconnect: info.reconnect }, "AMI connected");
      void this.#reconcile();
    });
    this.ami.on("disconnected", (info: { reason: string }) => {
      this.#amiConnected = false;
      if (!this.#stopped) log.warn({ reason: info.reason }, "AMI disconnected");
    });
    this.ami.on("error", (err: Error) => log.error({ err: err.message }, "AMI error"));
    this.#expireTimer = setInterval(() => {
      void this.engine.expireStale().then((evs) => evs.length && this.pool.notify());
      void this.journal.prune();
    }, 60_000);
    this.#expireTimer.unref();
    this.#licenseTimer = setInterval(() => this.license.reload(), 24 * 3600_000);
    this.#licenseTimer.unref();
    await this.ami.connect();
  }

  /** The recordings table lookup (`recordings.lookup`), when configured; also used by the reprocess command. */
  async openRecordingLookup(): Promise<void> {
    const lookup = this.config.recordings.lookup;
    if (!lookup || this.recordingLookup) return;
    this.recordingLookup = await createDbRecordingLookup({ driver: lookup.driver, connection: lookup.connection, query: lookup.query });
    this.#pipelineDeps.recordingLookup = this.recordingLookup;
  }

  /**
   * AMI Originate (click-to-call): the manager's phone first, then `exten` in `context`. Values
   * with CR/LF never reach Asterisk (AmiActionValueError). The tracker is told about the action
   * (with its ActionID) before any reply can arrive, so the call is correlated even when it fails.
   */
  async originate(params: OriginateRequest): Promise<AmiActionResult> {
    const variables = Object.entries(params.variables ?? {}).map(([k, v]) => `${k}=${v}`);
    return this.ami.action(
      {
        Action: "Originate",
        Channel: params.channel,
        Context: params.context,
        Exten: params.exten,
        Priority: params.priority ?? 1,
        ...(params.callerId ? { CallerID: params.callerId } : {}),
        Timeout: params.timeoutMs ?? 30_000,
        Async: "true",
        ...(variables.length ? { Variable: variables } : {}),
      },
      { onSend: (action) => void this.engine.handle(action).then((evs) => evs.length && this.pool.notify()) },
    );
  }

  /** External lines (DIDs) registered with their names at start (telephony.externalLine.add). */
  async registerLines(): Promise<void> {
    for (const [number, name] of Object.entries(this.config.product.lines)) {
      try {
        await this.gateway.call("telephony.externalLine.add", { NUMBER: number, NAME: name, CRM_AUTO_CREATE: this.config.product.crmCreate ? "Y" : "N" });
      } catch (err) {
        const text = (err as { description?: string }).description ?? (err as Error).message;
        if (!/already exists/i.test(text)) this.log.warn({ line: number, err: text }, "external line not registered");
        else await this.gateway.call("telephony.externalLine.update", { NUMBER: number, NAME: name }).catch(() => undefined);
      }
    }
  }

  /**
   * Asks Asterisk which channels are live and makes the tracker agree (after every (re)connect).
   * The list is a snapshot at one point of the event stream, so it travels through the consumer
   * (deliverToConsumer) and is applied exactly there: never ahead of events still queued, never
   * after events that came later.
   */
  async #reconcile(): Promise<void> {
    try {
      await this.ami.action(
        { Action: "CoreShowChannels" },
        {
          deliverToConsumer: true,
          onSend: (a) => {
            this.#reconcileId = a.actionId;
            this.#reconcileList = [];
          },
        },
      );
    } catch (err) {
      this.#reconcileId = undefined;
      this.log.warn({ err: (err as Error).message }, "reconcile failed");
    }
  }

  async #onReconcileMessage(message: AmiMessage): Promise<void> {
    if (message.event === "CoreShowChannel") {
      this.#reconcileList.push(message);
      return;
    }
    const state = message.get("EventList")?.toLowerCase();
    if (message.event === undefined && message.response?.toLowerCase() === "error") this.#reconcileId = undefined;
    if (message.event === undefined || (state !== "complete" && state !== "cancelled")) return;
    this.#reconcileId = undefined;
    const live = this.#reconcileList;
    this.#reconcileList = [];
    const before = this.engine.activeCalls;
    const events = await this.engine.reconcile(live);
    this.#lastReconcile = { at: Date.now(), live: live.length, closed: events.filter((e) => e.stage === "call_ended").length };
    if (events.length) this.pool.notify();
    this.log.info({ live: live.length, trackedBefore: before, stageEvents: events.length }, "reconciled with CoreShowChannels");
  }

  #apiRouter(): Router {
    const router = Router();
    router.get("/calls", async (req, res) => {
      const status = typeof req.query.status === "string" ? (req.query.status as never) : undefined;
      res.json(await this.journal.list({ limit: Number(req.query.limit ?? 100), ...(status ? { status } : {}) }));
    });
    router.get("/calls/:key", async (req, res) => {
      const rec = await this.journal.get(req.params.key);
      if (!rec) return void res.status(404).json({ error: "unknown call" });
      res.json({ ...rec, stages: await this.outbox.readAll(req.params.key) });
    });
    router.get("/errors", async (req, res) => {
      res.json({ byType: await this.journal.errorStats(Number(req.query.hours ?? 24)), failed: await this.journal.failed(Number(req.query.limit ?? 100)) });
    });
    return router;
  }

  #registerStatus(): void {
    this.status.register("ami", () => ({
      health: this.#amiConnected ? "Ok" : "Error",
      ...(this.#amiConnected ? {} : { problems: ["not connected to Asterisk AMI"] }),
      connected: this.#amiConnected,
      host: `${this.config.ami.host}:${this.config.ami.port}`,
      stats: this.ami.stats,
      last_reconcile: this.#lastReconcile ?? null,
    }));
    this.status.register("calls", async () => {
      const pending = await this.outbox.pendingCount();
      return {
        health: pending > 1000 ? "Warning" : "Ok",
        ...(pending > 1000 ? { problems: [`${pending} calls wait for Bitrix24`] } : {}),
        calls_storage: { calls: this.engine.activeCalls },
        calls_queue: { calls: pending, in_progress: this.pool.activeCalls },
        tracker_diagnostics: this.engine.diagnostics,
      };
    });
    this.status.register("crm", async () => {
      const failed = await this.journal.failedCount();
      const errors = await this.journal.errorStats(1);
      return {
        health: failed > 0 ? "Warning" : "Ok",
        ...(failed > 0 ? { problems: [`${failed} calls failed to reach Bitrix24 (see /api/errors; reprocess them)`] } : {}),
        portal: this.b24.portal,
        auth: this.config.b24.auth.mode,
        users_cache: this.users.snapshot(),
        failed_calls: failed,
        errors_last_hour: errors,
      };
    });
    this.status.register("customizer", () => ({ health: "Ok", ...this.hooks.customizerStatus(), stats: this.hooks.stats() }));
    if (this.clickToCall) this.status.register("click_to_call", () => this.clickToCall!.status());
    if (this.autodistribution) this.status.register("autodistribution", () => ({ health: "Ok", fastagi_port: this.fastAgiPort || null, http: this.config.autodistribution.http.enabled }));
    this.status.register("license", () => {
      const st = this.license.guard.status();
      const health = st.state === "valid" && st.overLimit === false ? "Ok" : st.state === "refusing_new_calls" || st.state === "invalid" ? "Error" : "Warning";
      const problems = st.state === "valid" && !st.overLimit ? [] : [st.message, ...(st.overLimitOperators.length ? [`operators over the licensed limit, not served: ${st.overLimitOperators.join(", ")}`] : [])];
      return { health, ...(problems.length ? { problems } : {}), ...st };
    });
    this.metrics.gauge("ab24_calls_active", "calls the tracker is following", () => this.engine.activeCalls);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#expireTimer) clearInterval(this.#expireTimer);
    if (this.#licenseTimer) clearInterval(this.#licenseTimer);
    await this.clickToCall?.stop();
    await this.#fastAgi?.stop();
    await this.ami.close();
    await this.pool.stop();
    await this.reprocess.stop();
    this.users.stop();
    await this.b24.close();
    await this.recordingLookup?.close();
    if (this.#server) await new Promise<void>((resolve) => this.#server!.close(() => resolve()));
    this.redis.disconnect();
  }
}
