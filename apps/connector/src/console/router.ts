import { fileURLToPath } from "node:url";
import express, { Router, type Request, type RequestHandler, type Response } from "express";
import type { CallSummary } from "../journal/index.js";
import { createExtensionMap, type ExtensionMap } from "../directory/extension-map.js";
import { relativeToRoot, signedRecordingUrl } from "../recordings/index.js";
import { RECORDINGS_HTTP_PATH } from "../stages/record.js";
import { callsSearch, CallsQueryError } from "./calls-query.js";
import { testConnections } from "./connections.js";
import { callsPerHour, dailyBuckets, errorRate, liveCalls, RateSampler, unownedFigures } from "./figures.js";
import { componentHealth, overallHealth } from "./health.js";
import { checkConfig, maskSecrets, restoreMasked } from "./settings.js";
import type { ConsoleSources } from "./sources.js";
import { buildTimeline } from "./timeline.js";
import { extensionsInJournal, extensionsInLiveCalls, usersExtensions } from "./users-extensions.js";
import { sendApiError } from "../http/api-error.js";

/** The console's static files (shipped in bundles through the share/ mirror of src/). */
export const CONSOLE_STATIC_DIR = fileURLToPath(new URL("./static/", import.meta.url));
export const CONSOLE_PATH = "/console/";
const RECENT_CALLS_TTL_MS = 5000;

const wrap =
  (fn: (req: Request, res: Response) => Promise<unknown>): RequestHandler =>
  (req, res, next) =>
    void fn(req, res).catch((err: unknown) => {
      if (err instanceof CallsQueryError) return void sendApiError(res, 400, err.code, err.message);
      next(err);
    });

function extensionMapOf(sources: ConsoleSources): ExtensionMap {
  return createExtensionMap({ explicit: sources.config.product.extensionMap, rules: sources.config.product.extensionRules });
}

/** `/api/calls`: the journal searched by number, manager, status and period (see callsSearch). */
export function callsListHandler(sources: ConsoleSources): RequestHandler {
  const map = extensionMapOf(sources);
  return wrap(async (req, res) => res.json(await sources.journal.list(callsSearch(req.query, sources.users.list(), map))));
}

/** A play link for the call's recording through the signed-link recordings router, when configured. */
function recordingLink(sources: ConsoleSources, file: string | undefined): { file: string; url?: string; note?: string } | undefined {
  if (!file) return undefined;
  const rec = sources.config.recordings;
  if (!rec.linkSecret) return { file, note: "set recordings.linkSecret to play recordings here" };
  const candidates = [file, ...rec.mounts.filter((m) => file.startsWith(m.local)).map((m) => m.pbx + file.slice(m.local.length))];
  for (const path of candidates) {
    try {
      return { file, url: signedRecordingUrl(RECORDINGS_HTTP_PATH, relativeToRoot(rec.monitorDir, path), { secret: rec.linkSecret, ttlSeconds: 3600 }) };
    } catch {
      /* not under the recordings root: try the next form */
    }
  }
  return { file, note: `not under recordings.monitorDir (${rec.monitorDir})` };
}

/**
 * The connector console: `/` → `/console/` (static pages), and its API under `/api/console/`.
 * Mounted behind the connector's HTTP auth like /status.
 */
export function createConsoleRouter(sources: ConsoleSources): Router {
  const router = Router();
  const map = extensionMapOf(sources);
  const batchRate = new RateSampler();
  // The last 24 h of the journal, read at most every 5 s however many consoles poll.
  let recent: { at: number; calls: Promise<CallSummary[]> } | undefined;
  const recentCalls = (now: number): Promise<CallSummary[]> => {
    if (!recent || now - recent.at >= RECENT_CALLS_TTL_MS) {
      const calls = sources.journal.list({ fromMs: now - 24 * 3600_000, limit: 10_000 });
      recent = { at: now, calls };
      calls.catch(() => (recent = undefined));
    }
    return recent.calls;
  };
  router.get("/", (_req, res) => res.redirect(302, CONSOLE_PATH));
  router.use("/console", express.static(CONSOLE_STATIC_DIR, { index: "index.html", maxAge: 0 }));

  const api = Router();
  api.use(express.json({ limit: "2mb" }));
  api.get(
    "/overview",
    wrap(async (_req, res) => {
      const now = Date.now();
      const status = (await sources.status.snapshot()) as { app?: Record<string, Record<string, unknown>>; version?: string; uptime_s?: number };
      const [components, calls, hourly, pending, queue] = await Promise.all([
        componentHealth(sources, status),
        recentCalls(now),
        sources.journal.errorBuckets(24 * 7, now),
        sources.outbox.pendingCount(),
        sources.b24.queueCounts().catch(() => undefined),
      ]);
      res.json({
        at: now,
        version: status.version,
        uptimeSeconds: status.uptime_s,
        health: overallHealth(components),
        components,
        live: { count: sources.engine.activeCalls, calls: liveCalls(sources.engine.state.calls).slice(0, 50) },
        queue: { callsWaiting: pending, callsInProgress: sources.pool.activeCalls, batches: queue ?? null },
        batchRatePerMinute: queue ? Math.round(batchRate.add(now, queue.completed) * 10) / 10 : null,
        callsPerHour: callsPerHour(calls, 24, now),
        totals24h: {
          calls: calls.length,
          delivered: calls.filter((c) => c.status === "delivered").length,
          failed: calls.filter((c) => c.status === "failed").length,
          inProgress: calls.filter((c) => c.status === "in_progress").length,
        },
        errors: { hourly: hourly.slice(-24), daily: dailyBuckets(hourly) },
        errorRate: errorRate(calls, hourly, now),
        unowned: unownedFigures(status.app?.crm),
      });
    }),
  );
  api.get("/calls", callsListHandler(sources));
  api.get(
    "/calls/:key",
    wrap(async (req, res) => {
      const key = String(req.params.key);
      const rec = await sources.journal.get(key);
      if (!rec) return void sendApiError(res, 404, "unknown_call", `no call ${key} in the journal`, { callKey: key });
      const stages = await sources.outbox.readAll(key);
      res.json({ ...buildTimeline(rec.summary, rec.entries, stages, sources.engine.pbxClockSkewMs), recording: recordingLink(sources, rec.summary.recordFile) ?? null });
    }),
  );
  api.get("/settings", (_req, res) => {
    res.json({ config: maskSecrets(sources.config), check: { ok: true, issues: [] } });
  });
  api.post("/settings/check", (req, res) => {
    const body = req.body as { config?: unknown } | undefined;
    if (body?.config === undefined) return void sendApiError(res, 400, "bad_request", 'send {"config": <JSON text or object>}');
    let raw = body.config;
    if (typeof raw === "string") {
      try {
        raw = JSON.parse(raw);
      } catch (err) {
        return void res.json({ ok: false, issues: [{ path: "", message: `not valid JSON: ${(err as Error).message}` }] });
      }
    }
    const { ok, issues } = checkConfig(restoreMasked(raw, sources.config));
    res.json({ ok, issues });
  });
  api.post(
    "/settings/test-connections",
    wrap(async (_req, res) => {
      const results = await testConnections(sources.config, { redis: sources.redis, b24Call: (m, p) => sources.gateway.call(m, p), recordingLookup: sources.recordingLookup });
      res.json({ ok: results.every((r) => r.ok), results });
    }),
  );
  api.get(
    "/users",
    wrap(async (_req, res) => {
      const recent = await sources.journal.list({ fromMs: Date.now() - 7 * 86_400_000, limit: 200 });
      const details = await Promise.all(recent.map(async (c) => ({ rec: await sources.journal.get(c.callKey), stages: await sources.outbox.readAll(c.callKey) })));
      const journal = extensionsInJournal(
        details.flatMap((d) => d.rec?.entries ?? []),
        details.flatMap((d) => d.stages),
      );
      res.json({ ...usersExtensions(sources.users.list(), map, { live: extensionsInLiveCalls(sources.engine.state.calls), journal }), cache: sources.users.snapshot() });
    }),
  );
  api.get("/user-names", (_req, res) => {
    res.json(Object.fromEntries(sources.users.list().map((u) => [String(u.id), u.name || `user ${u.id}`])));
  });
  router.use("/api/console", api);
  return router;
}
