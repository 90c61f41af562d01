/**
 * Portal events: POST /b24/events (form-encoded, PHP bracket keys). Only events whose
 * auth[application_token] matches the installation's (or a configured outgoing webhook's) are
 * trusted — compared in constant time. Click-to-call events are put on the durable queue before
 * the portal gets its 200; anything else that is trusted is acknowledged and ignored, except
 * ONAPPUNINSTALL which forgets the installation.
 */
import { randomUUID } from "node:crypto";
import express, { Router } from "express";
import type { Logger } from "pino";
import { b24ErrorHandler, sendB24Error } from "./http-errors.js";

/** Largest portal event body accepted (a click-to-call event is about 1 KB). */
export const EVENT_BODY_LIMIT = "64kb";
import { applicationTokenMatches } from "./app-token.js";
import { isClickToCallEvent, type ClickToCallQueue } from "./event-queue.js";
import type { AppStore } from "./store.js";

export interface EventsDeps {
  store: AppStore;
  queue: ClickToCallQueue;
  extraTokens: readonly string[];
  logger: Logger;
  /** Called for every click-to-call event queued (metrics, tests). */
  onQueued?: (jobId: string, via: "online" | "offline") => void;
}

export interface EventCounters {
  received: number;
  queued: number;
  duplicates: number;
  forged: number;
}

export function createEventsRouter(d: EventsDeps, counters: EventCounters): Router {
  const router = Router();
  const log = d.logger.child({ component: "events" });
  // Portal events are small forms; the application_token travels inside the body, so the limit is what
  // protects the parser. Bad or oversized bodies get 400 / 413 (error handler below).
  router.post("/", express.urlencoded({ extended: true, limit: EVENT_BODY_LIMIT, parameterLimit: 1000 }), async (req, res) => {
    counters.received++;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const auth = (body.auth && typeof body.auth === "object" ? body.auth : {}) as Record<string, unknown>;
    const event = String(body.event ?? "").toUpperCase();
    const install = await d.store.install();
    const accepted = [...(install ? [install.applicationToken] : []), ...d.extraTokens];
    if (!applicationTokenMatches(auth.application_token, accepted)) {
      counters.forged++;
      log.warn({ event, ip: req.ip, installed: Boolean(install) }, "event refused: application_token does not match");
      sendB24Error(res, 401, "INVALID_APPLICATION_TOKEN", "auth[application_token] does not match this installation");
      return;
    }
    if (event === "ONAPPUNINSTALL") {
      await d.store.redis.del(d.store.key("install"), d.store.key("oauth"));
      log.warn("the application was uninstalled from the portal: credentials forgotten");
      res.json({ ok: true });
      return;
    }
    if (!isClickToCallEvent(event)) {
      res.json({ ok: true, ignored: event });
      return;
    }
    const data = (body.data && typeof body.data === "object" ? body.data : {}) as Record<string, unknown>;
    const { jobId, added } = await d.queue.add(
      { event, data, via: "online", ts: Number(body.ts ?? 0) || 0, receivedAt: new Date().toISOString(), domain: String(auth.domain ?? "") },
      randomUUID(),
    );
    if (added) counters.queued++;
    else counters.duplicates++;
    log.info({ event, callId: data.CALL_ID, user: data.USER_ID, jobId, duplicate: !added }, "click-to-call event queued");
    if (added) d.onQueued?.(jobId, "online");
    res.json({ ok: true });
  });
  router.use(b24ErrorHandler(log));
  return router;
}
