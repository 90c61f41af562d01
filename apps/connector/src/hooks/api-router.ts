import express, { type Router } from "express";
import type { Logger } from "../log/logger.js";
import { silentLogger } from "../log/logger.js";
import type { HookB24 } from "./b24.js";
import type { HookApiTokens } from "./api-tokens.js";
import { isPlainObject } from "./json.js";

export interface HookApiRouterOptions {
  b24: HookB24;
  tokens: HookApiTokens;
  logger?: Logger;
}

/**
 * The local endpoint executable hooks use to call Bitrix24 through the connector's queue.
 * Mount it on the connector's HTTP server (bound to 127.0.0.1), e.g. at `/hooks-api`; hooks get
 * `ASTERISK_B24_API_URL=<base>/hooks-api` and a per-run `ASTERISK_B24_API_TOKEN`.
 *
 *   POST <base>/call   Authorization: Bearer <token>   {"method": "crm.lead.add", "params": {…}}
 *   200 {"result": …}  | 400 bad request | 401 bad token | 502 {"error": {"name", "message"}}
 */
export function createHookApiRouter(options: HookApiRouterOptions): Router {
  const log = options.logger ?? silentLogger();
  const router = express.Router();
  router.use(express.json({ limit: "2mb" }));

  router.post("/call", async (req, res) => {
    const header = req.get("authorization") ?? "";
    const token = header.startsWith("Bearer ") ? header.slice(7).trim() : undefined;
    const hook = options.tokens.resolve(token);
    if (!hook) {
      res.status(401).json({ error: { name: "HookApiUnauthorized", message: "missing, unknown or expired hook token" } });
      return;
    }
    const body: unknown = req.body;
    const method = isPlainObject(body) ? body.method : undefined;
    const params = isPlainObject(body) ? (body.params ?? {}) : undefined;
    if (typeof method !== "string" || !/^[a-zA-Z][\w.]*$/.test(method) || !isPlainObject(params)) {
      res.status(400).json({ error: { name: "HookApiBadRequest", message: 'expected {"method": "<rest.method>", "params": {…}}' } });
      return;
    }
    try {
      const result = await options.b24.call(method, params);
      log.debug({ hook, method }, "hook called Bitrix24");
      res.json({ result: result ?? null });
    } catch (error) {
      const err = error as Error;
      log.warn({ hook, method, err: { name: err?.name, message: err?.message } }, "hook's Bitrix24 call failed");
      res.status(502).json({ error: { name: err?.name ?? "Error", message: err?.message ?? String(error) } });
    }
  });

  return router;
}
