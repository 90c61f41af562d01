import { Router, type RequestHandler } from "express";
import type { CallOutbox } from "../outbox/call-outbox.js";
import { CALL_STATUSES, enumParam, intParam } from "../http/query.js";
import type { Journal } from "./journal.js";
import { sendApiError } from "../http/api-error.js";

/**
 * `/api`: the call journal read over HTTP — recent calls (optionally by status), one call with
 * its stage events, and the error statistics with the failed calls.
 */
export function createCallsApiRouter(journal: Journal, outbox: CallOutbox, listCalls?: RequestHandler): Router {
  const router = Router();
  if (listCalls) router.get("/calls", listCalls);
  else
    router.get("/calls", async (req, res) => {
      const status = enumParam(req.query, "status", CALL_STATUSES);
      res.json(await journal.list({ limit: intParam(req.query, "limit", { min: 1, max: 10_000, fallback: 100 }), ...(status ? { status } : {}) }));
    });
  router.get("/calls/:key", async (req, res) => {
    const rec = await journal.get(req.params.key);
    if (!rec) return void sendApiError(res, 404, "unknown_call", `no call ${req.params.key} in the journal`, { callKey: req.params.key });
    res.json({ ...rec, stages: await outbox.readAll(req.params.key) });
  });
  router.get("/errors", async (req, res) => {
    const hours = intParam(req.query, "hours", { min: 1, max: 24 * 90, fallback: 24 });
    res.json({ byType: await journal.errorStats(hours), failed: await journal.failed(intParam(req.query, "limit", { min: 1, max: 10_000, fallback: 100 })) });
  });
  return router;
}
