/**
 * The API behind the app's page in the portal (mounted at /b24/admin/api). Every request carries the
 * viewing user's frame token (frame-auth.ts); admin-only routes refuse other users with 403.
 *
 *   GET  /me                   the verified user {id, name, admin}
 *   GET  /calls/:crmCallId     CALL_CARD tab: what the PBX knows about the call (any portal user)
 *   GET  /overview             admin: the b24-app's status and the connector's /status
 *   GET  /extensions           admin: PBX extensions the connector saw on recent calls
 *   GET  /tokens               admin: connector tokens (never the token text)
 *   POST /tokens               admin: {connectorId, scopes?, note?} → the new token, shown once
 *   POST /tokens/:jti/revoke   admin: revoke now (the gateway refuses it on the next request)
 *
 * Issue and revoke are written to the audit stream with the Bitrix24 user who did it.
 */
import express, { Router, type NextFunction, type Request, type Response } from "express";
import type { Logger } from "pino";
import { ConnectorUnavailableError, type ConnectorLink } from "./connector-link.js";
import { FrameAuthError, type FrameAuth, type FrameUser } from "./frame-auth.js";
import type { AppStore } from "./store.js";
import type { ConnectorTokens } from "./tokens.js";
import { sendB24Error } from "./http-errors.js";

export const ADMIN_API_PATH = "/b24/admin/api";

export interface AdminApiDeps {
  frameAuth: FrameAuth;
  tokens: ConnectorTokens;
  store: AppStore;
  connector: ConnectorLink | undefined;
  gatewayUrl: string;
  appStatus(): Promise<Record<string, unknown>>;
  logger: Logger;
}

type Locals = { user: FrameUser };

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === "string" && v !== "" ? v : undefined;
}

function fail(res: Response, status: number, code: string, description: string): void {
  sendB24Error(res, status, code, description);
}

export function createAdminApiRouter(d: AdminApiDeps): Router {
  const router = Router();
  const log = d.logger.child({ component: "admin-api" });
  router.use(express.json({ limit: "16kb" }));
  router.use(async (req: Request, res: Response<unknown, Locals>, next: NextFunction) => {
    const auth = header(req, "authorization");
    const token = auth?.toLowerCase().startsWith("bearer ") ? auth.slice(7).trim() : undefined;
    try {
      res.locals.user = await d.frameAuth.verify(token, header(req, "x-b24-member-id"));
      next();
    } catch (err) {
      if (!(err instanceof FrameAuthError)) return next(err);
      log.warn({ code: err.code, ip: req.ip }, "page request refused");
      fail(res, err.status, err.code, err.message);
    }
  });
  const connector = async (res: Response, ask: (c: ConnectorLink) => Promise<unknown>): Promise<void> => {
    if (!d.connector) return fail(res, 503, "CONNECTOR_NOT_LINKED", "the b24-app has no `connector` in its configuration (docs/b24-app.md)");
    try {
      const answer = await ask(d.connector);
      if (answer === undefined) return fail(res, 404, "NOT_FOUND", "the connector does not know it");
      res.json(answer);
    } catch (err) {
      if (!(err instanceof ConnectorUnavailableError)) throw err;
      fail(res, 502, "CONNECTOR_UNAVAILABLE", err.message);
    }
  };

  router.get("/me", (_req, res: Response<unknown, Locals>) => void res.json(res.locals.user));
  router.get("/calls/:crmCallId", (req, res) => connector(res, (c) => c.call(String(req.params.crmCallId))));

  router.use((_req, res: Response<unknown, Locals>, next) => {
    if (res.locals.user.admin) return next();
    fail(res, 403, "ADMIN_ONLY", `${res.locals.user.name} is not a portal administrator`);
  });
  router.get("/overview", async (_req, res) => {
    const app = await d.appStatus();
    if (!d.connector) return void res.json({ app, connector: { linked: false } });
    try {
      res.json({ app, connector: { linked: true, url: d.connector.url, status: (await d.connector.status()) ?? null } });
    } catch (err) {
      if (!(err instanceof ConnectorUnavailableError)) throw err;
      res.json({ app, connector: { linked: true, url: d.connector.url, error: err.message } });
    }
  });
  router.get("/extensions", (_req, res) => connector(res, (c) => c.extensions()));
  router.get("/tokens", async (_req, res) => void res.json(await d.store.tokens()));
  router.post("/tokens", async (req: Request, res: Response<unknown, Locals>) => {
    const body = (req.body ?? {}) as { connectorId?: unknown; scopes?: unknown; note?: unknown };
    const scopes =
      typeof body.scopes === "string" && body.scopes.trim()
        ? body.scopes
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
        : undefined;
    try {
      const { token, record } = await d.tokens.issue({
        connectorId: String(body.connectorId ?? ""),
        ...(scopes ? { scopes } : {}),
        ...(typeof body.note === "string" && body.note ? { note: body.note.slice(0, 200) } : {}),
      });
      const who = res.locals.user;
      await d.store.audit({
        at: new Date().toISOString(),
        jti: record.jti,
        connectorId: record.connectorId,
        kind: "issued",
        methods: record.scopes.join(","),
        status: 200,
        ip: req.ip ?? "",
        reason: `by Bitrix24 user ${who.id} (${who.name}) on the app page`,
      });
      log.info({ jti: record.jti, connector: record.connectorId, by: who.id }, "connector token issued from the page");
      res.json({ record, auth: { mode: "gateway", gatewayUrl: d.gatewayUrl, token } });
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      fail(res, 400, "BAD_REQUEST", err.message);
    }
  });
  router.post("/tokens/:jti/revoke", async (req: Request, res: Response<unknown, Locals>) => {
    const jti = String(req.params.jti);
    const token = await d.store.token(jti);
    if (!token) return fail(res, 404, "NOT_FOUND", `no token ${jti}`);
    const revoked = await d.store.revoke(jti);
    const who = res.locals.user;
    if (revoked) {
      await d.store.audit({
        at: new Date().toISOString(),
        jti,
        connectorId: token.connectorId,
        kind: "revoked",
        methods: "",
        status: 200,
        ip: req.ip ?? "",
        reason: `by Bitrix24 user ${who.id} (${who.name}) on the app page`,
      });
      log.info({ jti, connector: token.connectorId, by: who.id }, "connector token revoked from the page");
    }
    res.json({ jti, revoked, alreadyRevoked: !revoked });
  });
  return router;
}
