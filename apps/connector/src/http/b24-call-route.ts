/**
 * The b24-app's questions to the connector (behind the connector's HTTP auth, mounted at /api/b24):
 *
 *   GET /api/b24/calls/:crmCallId  what the PBX knows about the call Bitrix24 calls CALL_ID
 *                                  (the CALL_CARD tab): 404 when the journal has no such call
 *   GET /api/b24/extensions        PBX extensions seen on the last `?calls=` (default 200, max 2000)
 *                                  calls, with the Bitrix24 inner number each maps to
 */
import { Router } from "express";
import type { Journal } from "../journal/index.js";
import type { CallOutbox } from "../outbox/call-outbox.js";
import type { CallFull } from "../tracker/call-full.js";
import { collectExtensions, pbxCallFacts } from "./b24-call-facts.js";
import { sendApiError } from "./api-error.js";

export const B24_APP_API_PATH = "/api/b24";

export interface B24CallRouteDeps {
  journal: Journal;
  outbox: CallOutbox;
  toB24(pbxExtension: string): string;
}

async function snapshot(outbox: CallOutbox, callKey: string): Promise<CallFull | undefined> {
  const last = (await outbox.readLast(callKey)) as { call?: CallFull } | undefined;
  return last?.call;
}

export function createB24CallRouter(d: B24CallRouteDeps): Router {
  const router = Router();
  router.get("/calls/:crmCallId", async (req, res) => {
    const callKey = await d.journal.byCrmCallId(req.params.crmCallId);
    if (!callKey) return void sendApiError(res, 404, "unknown_call", `no call with Bitrix24 CALL_ID ${req.params.crmCallId} in the journal`);
    const [call, rec] = await Promise.all([snapshot(d.outbox, callKey), d.journal.get(callKey)]);
    if (!call) return void sendApiError(res, 404, "no_pbx_data", `call ${callKey} has no PBX snapshot (any more)`);
    res.json(pbxCallFacts(call, rec?.summary));
  });
  router.get("/extensions", async (req, res) => {
    const n = Math.min(2000, Math.max(1, Number(req.query.calls ?? 200) || 200));
    const recent = await d.journal.list({ limit: n });
    const calls = (await Promise.all(recent.map((c) => snapshot(d.outbox, c.callKey)))).filter((c): c is CallFull => c !== undefined);
    res.json({ fromCalls: calls.length, extensions: collectExtensions(calls, d.toB24) });
  });
  return router;
}
