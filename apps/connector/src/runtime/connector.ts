/**
 * The connector assembled: AMI → tracker (engine) → outbox (Redis) → worker pool → stage
 * pipeline → hooks → batched Bitrix24 client; plus the journal, /status, /metrics, recordings
 * and the hooks API. Reading order follows a call: ami → tracker → stages → hooks → crm.
 */
import { setMaxListeners } from "node:events";
import type { Server } from "node:http";
import { Redis } from "ioredis";
import type { Router } from "express";
import type { Logger } from "pino";
import { AmiClient, type AmiActionResult, type AmiMessage } from "@asterisk-b24/ami";
import { describeRedis, redisOptions } from "@asterisk-b24/common";
import { amiEndpoint, type ConnectorConfig } from "../config/index.js";
import { B24Client, type B24ClientOptions } from "../crm/index.js";
import { authFromConfig, portalOf } from "../crm/auth/from-config.js";
import { registerExternalLines } from "../crm/external-lines.js";
import { clientGateway, fetchUploader, type CrmGateway } from "../crm/gateway.js";
import { CredentialUser } from "../directory/credential-user.js";
import { createExtensionMap } from "../directory/extension-map.js";
import { createLists } from "../directory/lists.js";
import { UsersCache } from "../directory/users-cache.js";
import { createHookApiRouter, createHookRunner, HookApiTokens, type HookRunner } from "../hooks/index.js";
import { Metrics } from "../http/metrics.js";
import { createHttpApp, listen } from "../http/server.js";
import { StatusRegistry } from "../http/status.js";
import { Journal } from "../journal/index.js";
import { createCallsApiRouter } from "../journal/api-router.js";
import { CallOutbox } from "../outbox/call-outbox.js";
import { CallWorkerPool } from "../outbox/call-worker-pool.js";
import { B24_APP_API_PATH, createB24CallRouter } from "../http/b24-call-route.js";
import { createDbRecordingLookup, createRecordingsRouter, type RecordingLookup } from "../recordings/index.js";
import { CrmStateStore } from "../stages/crm-state.js";
import { RegistrationLedger } from "../stages/registration-ledger.js";
import { StageRunner } from "../stages/runner.js";
import type { LiveStageDeps } from "../stages/step.js";
import { UnownedStats } from "../stages/unowned-stats.js";
import { RECORDINGS_HTTP_PATH } from "../stages/record.js";
import type { StageEvent } from "../tracker/index.js";
import { CONNECTOR_VERSION } from "../version.js";
import { TrackerEngine } from "./tracker-engine.js";
import { Reconciler } from "./reconcile.js";
import { registerStatusChecks } from "./status-checks.js";
import { createConnectorLicense, LicenseStartError, type ConnectorLicense } from "../license/connector-license.js";
import { ClickToCallService, originateAction, type OriginateRequest } from "../click-to-call/index.js";
import { Autodistribution, createAutodistributionRouter, FastAgiServer } from "../autodistribution/index.js";
import { callsListHandler, createConsoleRouter } from "../console/router.js";
import { Reprocessing } from "../reprocess/index.js";
import { RedisHealth } from "./redis-health.js";
import { CrmHealth, observeGateway } from "./crm-health.js";
import { retryInBackground, within } from "./background-retry.js";
import { createFiguresRouter, figuresZone, QueueFigures } from "../figures/index.js";

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

export class Connector {
  readonly config: ConnectorConfig;
  readonly log: Logger;
  readonly metrics = new Metrics();
  readonly status = new StatusRegistry(CONNECTOR_VERSION);
  readonly redis: Redis;
  readonly outbox: CallOutbox;
  readonly journal: Journal;
  /** Queue and manager figures, saved per finished call. */
  readonly figures: QueueFigures;
  readonly crmState: CrmStateStore;
  readonly b24: B24Client;
  readonly gateway: CrmGateway;
  readonly users: UsersCache;
  /** The portal user of the connector's credential (where a call nobody owns lands). */
  readonly credentialUser: CredentialUser;
  /** Durable counts of the calls nobody owned (fallback user, not landed). */
  readonly unownedStats: UnownedStats;
  readonly hooks: HookRunner;
  readonly hookTokens = new HookApiTokens();
  readonly engine: TrackerEngine;
  readonly pool: CallWorkerPool;
  readonly ami: AmiClient;
  recordingLookup: RecordingLookup | undefined;
  readonly license: ConnectorLicense;
  #licenseTimer: NodeJS.Timeout | undefined;
  readonly #stageDeps: LiveStageDeps;
  #server: Server | undefined;
  #httpPort = 0;
  #expireTimer: NodeJS.Timeout | undefined;
  #amiConnected = false;
  readonly reconciler: Reconciler;
  #stopped = false;
  /** Aborted by stop(): start-up waits, background retries and long stage waits give up. */
  readonly #stopping = new AbortController();
  readonly redisHealth: RedisHealth;
  readonly crmHealth: CrmHealth;
  /** Resolves (true) once the external lines are registered in Bitrix24 — in the background, after start. */
  linesRegistered: Promise<boolean> = Promise.resolve(false);
  /** Click-to-call (OnExternalCallStart from the b24-app's queue) and autodistribution, when enabled. */
  readonly clickToCall: ClickToCallService | undefined;
  /** Reprocessing runs (CEL / journal / CRM cross-check), their schedule and reports. */
  readonly reprocess: Reprocessing;
  readonly autodistribution: Autodistribution | undefined;
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
    if (!this.license.guard.isPortalAllowed(portalOf(config)))
      throw new LicenseStartError(`the licence does not cover another Bitrix24 portal (${portalOf(config)}): ${this.license.guard.status().message}`);
    const prefix = config.redis.prefix;
    const redisOpts = redisOptions(config.redis);
    this.redis = new Redis({ ...redisOpts, maxRetriesPerRequest: null });
    this.redisHealth = new RedisHealth(this.redis, describeRedis(config.redis), log);
    this.outbox = new CallOutbox(this.redis, prefix);
    this.journal = new Journal(this.redis, prefix);
    this.crmState = new CrmStateStore(this.redis, prefix, new RegistrationLedger(this.redis, prefix), "live");
    this.figures = new QueueFigures(
      this.redis,
      prefix,
      {
        timeZone: figuresZone(config.figures.timeZone, config.cel?.timezone),
        serviceLevelSeconds: config.figures.serviceLevelSeconds,
        retentionDays: config.figures.retentionDays,
      },
      this.metrics,
    );

    const b24Options: B24ClientOptions = {
      portal: portalOf(config),
      auth: authFromConfig(config),
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
    this.crmHealth = new CrmHealth(config.b24.auth.mode, log.child({ component: "b24" }));
    this.gateway = observeGateway(clientGateway(this.b24, fetchUploader(config.b24.requestTimeoutMs)), this.crmHealth);
    this.users = new UsersCache({
      port: this.gateway,
      refreshIntervalMs: config.usersCache.refreshMinutes * 60_000,
      phoneRules: config.product.phone,
      onError: (err) => log.warn({ err: (err as Error).message }, "users cache refresh failed"),
    });
    this.credentialUser = new CredentialUser({
      port: this.gateway,
      redis: this.redis,
      prefix,
      refreshMs: config.responsible.credentialUserRefreshMinutes * 60_000,
      onStale: (err, stored) => log.warn({ err: err.message, userId: stored.id }, "credential user: user.current failed, keeping the stored user"),
    });
    this.unownedStats = new UnownedStats(this.redis, prefix);
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
    const stages = new StageRunner(
      (this.#stageDeps = {
        config,
        gateway: this.gateway,
        users: this.users,
        hooks: this.hooks,
        journal: this.journal,
        crmState: this.crmState,
        extensionMap: createExtensionMap({ explicit: config.product.extensionMap, rules: config.product.extensionRules }),
        lists: createLists({ blacklist: config.product.blacklist, whitelist: config.product.whitelist, phoneRules: config.product.phone }),
        credentialUser: this.credentialUser,
        unownedStats: this.unownedStats,
        logger: log.child({ component: "pipeline" }),
        metrics: this.metrics,
        license: this.license.guard,
        stopSignal: this.#stopping.signal,
      }),
    );
    // Every call waiting for its recording file listens on this one signal (hundreds at once in a
    // big centre; each listener is removed when its wait ends), so no listener limit applies.
    setMaxListeners(0, this.#stopping.signal);
    this.pool = new CallWorkerPool(
      this.outbox,
      async (callKey, stage, index) => {
        // The figures first: they need nothing from Bitrix24, a portal outage must not hold them.
        if ((stage as StageEvent).stage === "call_ended") await this.figures.record((stage as StageEvent).call);
        await stages.handle(callKey, stage, index);
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
      ...amiEndpoint(config.ami),
      username: config.ami.username,
      secret: config.ami.secret,
      actionTimeoutMs: config.ami.actionTimeoutMs,
      keepalive: { intervalMs: config.ami.pingIntervalMs, timeoutMs: config.ami.pongTimeoutMs },
      reconnect: { initialDelayMs: config.ami.reconnect.initialDelayMs, maxDelayMs: config.ami.reconnect.maxDelayMs },
      logger: log.child({ component: "ami" }),
    });
    this.reconciler = new Reconciler(this.ami, this.engine, this.pool, log, config.tracker);
    // click-to-call / autodistribution (issue 5)
    const extensionMap = this.#stageDeps.extensionMap;
    this.clickToCall = config.clickToCall.enabled
      ? new ClickToCallService({
          config: config.clickToCall,
          variable: config.tracker.clickToCallVariable,
          ...(config.tracker.didVariables[0] ? { lineVariable: config.tracker.didVariables[0] } : {}),
          connection: redisOptions(config.redis),
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
      ? new Autodistribution({
          config: config.autodistribution,
          b24: this.gateway,
          users: this.users,
          extensionMap,
          hooks: this.hooks,
          metrics: this.metrics,
          logger: log.child({ component: "autodistribution" }),
        })
      : undefined;
    registerStatusChecks(this.status, this.metrics, {
      config,
      ami: this.ami,
      engine: this.engine,
      outbox: this.outbox,
      pool: this.pool,
      journal: this.journal,
      b24: this.b24,
      users: this.users,
      hooks: this.hooks,
      license: this.license,
      clickToCall: this.clickToCall,
      autodistribution: this.autodistribution,
      amiConnected: () => this.#amiConnected,
      lastReconcile: () => this.reconciler.last,
      fastAgiPort: () => this.fastAgiPort,
      redisHealth: this.redisHealth,
      crmHealth: this.crmHealth,
      credentialUser: this.credentialUser,
      unownedStats: this.unownedStats,
    });
    this.reprocess = new Reprocessing({
      config,
      live: this.#stageDeps,
      redis: this.redis,
      connection: redisOpts,
      outbox: this.outbox,
      createClient: (o) => new B24Client({ ...b24Options, auth: authFromConfig(config), ...o }),
      logger: log.child({ component: "reprocess" }),
      metrics: this.metrics,
    });
    this.reprocess.registerStatus(this.status);
  }

  get httpPort(): number {
    return this.#httpPort;
  }

  /**
   * Starts every part; resolves when AMI is connected (network failures are retried inside the
   * AMI client; a refused login rejects with AmiLoginError). HTTP answers first, so /status tells
   * what is missing; then Redis (everything durable lives there), then AMI. Bitrix24 is never
   * waited for: users and external lines load in the background with back-off, and calls wait in
   * the outbox until the portal answers.
   */
  async start(): Promise<void> {
    const log = this.log;
    const signal = this.#stopping.signal;
    if (this.options.http !== false) await this.#listenHttp();
    await this.redisHealth.waitReady(signal);
    await this.openRecordingLookup();
    const restored = await this.engine.restore();
    if (restored > 0) log.info({ calls: restored }, "resumed calls in progress from Redis");
    void retryInBackground(() => this.users.start(), {
      signal,
      onError: (err, attempt, retryInMs) => log.warn({ err: err.message, attempt, retryInMs }, "users cache: load failed, will retry"),
    });
    // The fallback user is known before the first call nobody owns ends (and /status shows it).
    if (this.config.responsible.fallbackToCredentialUser)
      void retryInBackground(async () => void (await this.credentialUser.get()), {
        signal,
        onError: (err, attempt, retryInMs) => log.warn({ err: err.message, attempt, retryInMs }, "credential user (user.current): not known yet, will retry"),
      });
    this.linesRegistered = retryInBackground(() => registerExternalLines(this.gateway, this.config.product.lines, this.config.product.crmCreate, log), {
      signal,
      onError: (err, attempt, retryInMs) => log.warn({ err: err.message, attempt, retryInMs }, "external lines: not registered, will retry"),
    });
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

    this.ami.consume(async (message: AmiMessage) => {
      // The CoreShowChannels snapshot is applied at its own place in the event stream.
      if (this.reconciler.owns(message)) return this.reconciler.onMessage(message);
      this.clickToCall?.observe(message);
      const events = await this.engine.handle(message);
      if (events.length > 0) this.pool.notify();
    });
    this.ami.on("connected", (info: { reconnect: boolean }) => {
      this.#amiConnected = true;
      log.info({ reconnect: info.reconnect }, "AMI connected");
      void this.reconciler.start();
    });
    this.ami.on("disconnected", (info: { reason: string }) => {
      this.#amiConnected = false;
      if (!this.#stopped) log.warn({ reason: info.reason }, "AMI disconnected");
    });
    this.ami.on("error", (err: Error) => log.error({ err: err.message }, "AMI error"));
    this.#expireTimer = setInterval(() => {
      void this.engine.expireStale().then((evs) => evs.length && this.pool.notify());
      void this.journal.prune();
      void this.figures.store.prune().catch((err: Error) => log.warn({ err: err.message }, "figures: prune failed"));
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
    this.#stageDeps.recordingLookup = this.recordingLookup;
  }

  async #listenHttp(): Promise<void> {
    const log = this.log;
    const routers: Array<{ path: string; router: Router; public?: boolean }> = [
      { path: "/hooks-api", router: createHookApiRouter({ b24: { call: (m, p) => this.gateway.call(m, p as Record<string, unknown>) }, tokens: this.hookTokens }), public: true },
      { path: B24_APP_API_PATH, router: createB24CallRouter({ journal: this.journal, outbox: this.outbox, toB24: (x) => this.#stageDeps.extensionMap.toB24(x) }) },
      { path: "/api", router: createCallsApiRouter(this.journal, this.outbox, callsListHandler(this)) },
      { path: "/api", router: this.reprocess.router() },
      { path: "/api", router: createFiguresRouter({ figures: this.figures, users: this.users, extensionMap: this.#stageDeps.extensionMap }) },
      { path: "/", router: createConsoleRouter(this) },
    ];
    if (this.config.recordings.linkSecret) {
      routers.push({
        path: RECORDINGS_HTTP_PATH,
        router: createRecordingsRouter({ root: this.config.recordings.monitorDir, secret: this.config.recordings.linkSecret }),
        public: true,
      });
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

  /**
   * AMI Originate (click-to-call): the manager's phone first, then `exten` in `context`. Values
   * with CR/LF never reach Asterisk (AmiActionValueError). The tracker is told about the action
   * (with its ActionID) before any reply can arrive, so the call is correlated even when it fails.
   */
  async originate(params: OriginateRequest): Promise<AmiActionResult> {
    return this.ami.action(originateAction(params), { onSend: (action) => void this.engine.handle(action).then((evs) => evs.length && this.pool.notify()) });
  }

  /**
   * Stops within a bounded time whatever is down (Redis, Bitrix24, AMI): the stages in progress
   * get `stop.graceMs`, long waits are cancelled, and what is left stays pending in Redis for the
   * next start.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stopping.abort(new Error("connector stopping"));
    const grace = this.config.stop.graceMs;
    const step = (p: Promise<unknown>) => within(p, grace);
    if (this.#expireTimer) clearInterval(this.#expireTimer);
    if (this.#licenseTimer) clearInterval(this.#licenseTimer);
    await step(this.clickToCall?.stop() ?? Promise.resolve());
    await step(this.#fastAgi?.stop() ?? Promise.resolve());
    await step(this.ami.close());
    await this.pool.stop(grace);
    await step(this.reprocess.stop());
    this.users.stop();
    await step(this.b24.close({ graceMs: grace }));
    await step(this.recordingLookup?.close() ?? Promise.resolve());
    if (this.#server) {
      this.#server.closeAllConnections();
      await step(new Promise<void>((resolve) => this.#server!.close(() => resolve())));
    }
    this.redis.disconnect();
  }
}
