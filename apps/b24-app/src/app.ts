/**
 * The b24-app assembled: Redis store, portal credential (oauth | webhook), connector tokens,
 * REST gateway, install and event handlers, offline poller, the BullMQ hand-over queue and /status.
 *
 *   GET  /status              health (installed?, credential mode, events mode, counters)
 *   POST /b24/install?key=…   installation (install.ts)
 *   POST /b24/events          portal events (events.ts)
 *   GET|POST /b24/app         the application's page in the portal frame (page/routes.ts)
 *   GET|POST /b24/placement/call-card  the CALL_CARD tab (bound at install: placements.ts)
 *   /b24/admin/api/…          the page's API, authorised by the viewer's frame token (admin-api.ts)
 *   POST /gateway/rest/<m>    REST gateway for the connector (gateway.ts)
 *   POST /gateway/upload/<id> recording uploads through the gateway
 */
import type { Server } from "node:http";
import express from "express";
import type { Logger } from "pino";
import type { B24AppConfig } from "./config.js";
import { ClickToCallQueue } from "./event-queue.js";
import { createEventsRouter, type EventCounters } from "./events.js";
import { createGatewayRouter } from "./gateway.js";
import { ADMIN_API_PATH, createAdminApiRouter } from "./admin-api.js";
import { ConnectorLink } from "./connector-link.js";
import { FrameAuth } from "./frame-auth.js";
import { b24ErrorHandler } from "./http-errors.js";
import { createInstallRouter } from "./install.js";
import { createPageRouter } from "./page/routes.js";
import { CALL_CARD_PATH, placementSpecs } from "./placements.js";
import { OfflinePoller } from "./offline-poller.js";
import { PortalClient } from "./portal-client.js";
import { OAuthCredential, WebhookCredential, type PortalCredential } from "./portal-credential.js";
import { connectRedis, redisOptions } from "./redis.js";
import { AppStore } from "./store.js";
import { ConnectorTokens, readTokenKeys, type TokenKeys } from "./tokens.js";

export const EVENTS_PATH = "/b24/events";
export const INSTALL_PATH = "/b24/install";
export const APP_PAGE_PATH = "/b24/app";
export const GATEWAY_PATH = "/gateway";

export interface B24AppOptions {
  config: B24AppConfig;
  logger: Logger;
  /** Keys already loaded (tests); default: read the configured files. */
  keys?: TokenKeys;
  onQueued?: (jobId: string, via: "online" | "offline") => void;
}

export function installUrl(config: B24AppConfig): string {
  const u = new URL(INSTALL_PATH, config.http.publicUrl);
  u.searchParams.set("key", config.install.key);
  return u.toString();
}

/** The local application's handler path (its page, placement DEFAULT). */
export function appPageUrl(config: B24AppConfig): string {
  return new URL(APP_PAGE_PATH, config.http.publicUrl).toString();
}

export function eventHandlerUrl(config: B24AppConfig): string {
  return new URL(EVENTS_PATH, config.http.publicUrl).toString();
}

export function createCredential(config: B24AppConfig, store: AppStore): PortalCredential {
  const c = config.portal.credential;
  if (c.mode === "webhook") return new WebhookCredential(c.webhookUrl);
  return new OAuthCredential(store, {
    portalUrl: config.portal.url,
    tokenUrl: c.oauthServerUrl,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    lockTtlMs: c.refreshLockMs,
  });
}

export class B24App {
  readonly config: B24AppConfig;
  readonly log: Logger;
  readonly store: AppStore;
  readonly portal: PortalClient;
  readonly tokens: ConnectorTokens;
  readonly queue: ClickToCallQueue;
  readonly poller: OfflinePoller;
  readonly frameAuth: FrameAuth;
  readonly counters: EventCounters = { received: 0, queued: 0, duplicates: 0, forged: 0 };
  readonly app = express();
  #server: Server | undefined;
  #port = 0;

  constructor(options: B24AppOptions) {
    const config = (this.config = options.config);
    const log = (this.log = options.logger);
    const redis = connectRedis(config.redis);
    redis.on("error", (err) => log.warn({ err: err.message }, "redis error"));
    this.store = new AppStore(redis, config.redis.prefix, config.audit.maxEntries);
    this.portal = new PortalClient(createCredential(config, this.store), config.portal.timeoutMs);
    this.tokens = new ConnectorTokens(this.store, options.keys ?? readTokenKeys(config.tokens, false), config.tokens.defaultTtlDays);
    this.queue = new ClickToCallQueue({ name: config.queue.name, prefix: config.queue.prefix, connection: redisOptions(config.redis), keep: config.queue.keep });
    this.poller = new OfflinePoller({
      portal: this.portal,
      queue: this.queue,
      intervalMs: config.events.pollIntervalMs,
      logger: log.child({ component: "offline-events" }),
      ...(options.onQueued ? { onQueued: options.onQueued } : {}),
    });

    const app = this.app;
    app.disable("x-powered-by");
    app.set("trust proxy", "loopback");
    app.get("/status", async (_req, res) => res.json(await this.status()));
    app.use(
      INSTALL_PATH,
      createInstallRouter({
        store: this.store,
        installKey: config.install.key,
        portalUrl: config.portal.url,
        credentialMode: config.portal.credential.mode,
        eventsMode: config.events.mode,
        eventHandlerUrl: eventHandlerUrl(config),
        placements: placementSpecs(config.http.publicUrl),
        timeoutMs: config.portal.timeoutMs,
        logger: log,
      }),
    );
    app.use(
      EVENTS_PATH,
      createEventsRouter(
        { store: this.store, queue: this.queue, extraTokens: config.events.applicationTokens, logger: log, ...(options.onQueued ? { onQueued: options.onQueued } : {}) },
        this.counters,
      ),
    );
    app.use(createPageRouter({ appPagePath: APP_PAGE_PATH, callCardPath: CALL_CARD_PATH, logger: log }));
    const cred = config.portal.credential;
    this.frameAuth = new FrameAuth({
      store: this.store,
      portalUrl: config.portal.url,
      ...(cred.mode === "oauth" ? { clientId: cred.clientId } : {}),
      timeoutMs: Math.min(config.portal.timeoutMs, 30_000),
    });
    const link = config.connector ? new ConnectorLink(config.connector) : undefined;
    app.use(
      ADMIN_API_PATH,
      createAdminApiRouter({
        frameAuth: this.frameAuth,
        tokens: this.tokens,
        store: this.store,
        connector: link,
        gatewayUrl: new URL(GATEWAY_PATH, config.http.publicUrl).toString(),
        appStatus: () => this.status(),
        logger: log,
      }),
    );
    app.use(GATEWAY_PATH, createGatewayRouter({ portal: this.portal, tokens: this.tokens, store: this.store, logger: log }));
    app.use(b24ErrorHandler(log));
  }

  get port(): number {
    return this.#port;
  }

  async status(): Promise<Record<string, unknown>> {
    const install = await this.store.install().catch(() => undefined);
    const problems: string[] = [];
    if (!install) problems.push(`not installed: install the local application with ${new URL(INSTALL_PATH, this.config.http.publicUrl).toString()}?key=…`);
    if (this.poller.lastError) problems.push(`offline events: ${this.poller.lastError}`);
    return {
      health: problems.length ? "Warning" : "Ok",
      ...(problems.length ? { problems } : {}),
      installed: install ? { domain: install.domain, at: install.installedAt } : null,
      credential: this.config.portal.credential.mode,
      events: { mode: this.config.events.mode, ...this.counters, offline_polls: this.poller.polls, offline_queued: this.poller.queued },
      oauth_refreshes: await this.store.refreshCount().catch(() => 0),
    };
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const server = this.app.listen(this.config.http.port, this.config.http.host, (err?: Error) => (err ? reject(err) : resolve()));
      this.#server = server;
    });
    const addr = this.#server!.address();
    this.#port = typeof addr === "object" && addr ? addr.port : this.config.http.port;
    if (this.config.events.mode === "offline") this.poller.start();
    this.log.info({ port: this.#port, credential: this.config.portal.credential.mode, events: this.config.events.mode }, "b24-app listening");
  }

  async stop(): Promise<void> {
    await this.poller.stop();
    if (this.#server) {
      this.#server.closeAllConnections?.();
      await new Promise<void>((resolve) => this.#server!.close(() => resolve()));
    }
    await this.queue.close();
    this.store.redis.disconnect();
  }
}
