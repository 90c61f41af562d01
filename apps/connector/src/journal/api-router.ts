import { Router, type RequestHandler } from "express";
import type { CallOutbox } from "../outbox/call-outbox.js";
import { isCallOutcomeStatus, type Journal } from "./journal.js";

/**
 * `/api`: the call journal read over HTTP — recent calls (optionally by status), one call with
 * its stage events, and the error statistics with the failed calls.
 */
export function createCallsApiRouter(journal: Journal, outbox: CallOutbox, listCalls?: RequestHandler): Router {
  const router = Router();
  if (listCalls) router.get("/calls", listCalls);
  else
    router.get("/calls", async (req, res) => {
      const status = req.query.status;
      // An unknown status matches no call.
      if (typeof status === "string" && !isCallOutcomeStatus(status)) return void res.json([]);
      res.json(await journal.list({ limit: Number(req.query.limit ?? 100), ...(isCallOutcomeStatus(status) ? { status } : {}) }));
    });
  router.get("/calls/:key", async (req, res) => {
    const rec = await journal.get(req.params.key);
    if (!rec) return void res.status(404).json({ error: "unknown call" });
    res.json({ ...rec, stages: await outbox.readAll(req.params.key) });
  });
  router.get("/errors", async (req, res) => {
    res.json({ byType: await journal.errorStats(Number(req.query.hours ?? 24)), failed: await journal.failed(Number(req.query.limit ?? 100)) });
  });
  return router;
}
