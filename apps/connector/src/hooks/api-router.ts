import express, { type Router } from "express";
import { httpErrorHandler } from "@asterisk-b24/common";

/** Largest JSON body a hook may send (a Bitrix24 call with its params). */
export const HOOK_API_BODY_LIMIT = "2mb";
import type { Logger } from "../log/logger.js";
import { silentLogger } from "../log/logger.js";
import type { HookB24 } from "./b24.js";
import type { HookApiTokens } from "./api-tokens.js";
import { isPlainObject } from "./json.js";
import { apiError, sendApiError } from "../http/api-error.js";

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
 *   200 {"result": …}  | 400 bad request / bad JSON | 401 bad token (checked first) | 413 body over 2 MB | 502 {"error": {"name", "message"}}
 */
export function createHookApiRouter(options: HookApiRouterOptions): Router {
  const log = options.logger ?? silentLogger();
  const router = express.Router();

  // The token is checked before the body is read: an unauthenticated request never gets a large body parsed.
  const authenticate: express.RequestHandler = (req, res, next) => {
    const header = req.get("authorization") ?? "";
    const token = header.startsWith("Bearer ") ? header.slice(7).trim() : undefined;
    const hook = options.tokens.resolve(token);
    if (!hook) {
      sendApiError(res, 401, "hook_api_unauthorized", "missing, unknown or expired hook token", { name: "HookApiUnauthorized" });
      return;
    }
    res.locals.hook = hook;
    next();
  };

  router.post("/call", authenticate, express.json({ limit: HOOK_API_BODY_LIMIT, type: () => true }), async (req, res) => {
    const hook = res.locals.hook as string;
    const body: unknown = req.body;
    const method = isPlainObject(body) ? body.method : undefined;
    const params = isPlainObject(body) ? (body.params ?? {}) : undefined;
    if (typeof method !== "string" || !/^[a-zA-Z][\w.]*$/.test(method) || !isPlainObject(params)) {
      sendApiError(res, 400, "hook_api_bad_request", 'expected {"method": "<rest.method>", "params": {…}}', { name: "HookApiBadRequest" });
      return;
    }
    try {
      const result = await options.b24.call(method, params);
      log.debug({ hook, method }, "hook called Bitrix24");
      res.json({ result: result ?? null });
    } catch (error) {
      const err = error as Error;
      log.warn({ hook, method, err: { name: err?.name, message: err?.message } }, "hook's Bitrix24 call failed");
      sendApiError(res, 502, "bitrix24_call_failed", err?.message ?? String(error), { name: err?.name ?? "Error" });
    }
  });

  // Bad JSON → 400, too large → 413, in the hooks API's own error shape.
  router.use(
    httpErrorHandler({
      logger: log,
      format: (e) => apiError(e.code, e.message, { name: e.status === 413 ? "HookApiBodyTooLarge" : e.status < 500 ? "HookApiBadRequest" : "HookApiError" }),
    }),
  );
  return router;
}
