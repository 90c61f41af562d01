/**
 * The REST gateway the connector calls instead of the portal (the connector's third auth mode):
 *
 *   POST /rest/<method>   JSON body, `Authorization: Bearer <connector token>`; `batch` too.
 *   POST /upload/<id>     multipart body of a recording, for an uploadUrl the gateway handed out.
 *
 * The token is verified (signature, audience, registry, revocation) on every request and the
 * method — or every command of a batch — must be in its scopes. The portal credential is added
 * here and never leaves the app: attachRecord's uploadUrl (which carries the portal's token) is
 * swapped for a gateway URL. The portal's answer — rate-limit answers included — is passed through
 * unchanged (status and body), so the connector's own batch queue and limiter keep the pace.
 * Every use is audited.
 */
import { randomBytes } from "node:crypto";
import express, { Router, type Request, type Response } from "express";
import type { Logger } from "pino";
import { b24ErrorHandler, sendB24Error } from "./http-errors.js";
import { ConnectorTokenError, NotInstalledError, PortalAuthError, PortalNoAnswerError, PortalUnavailableError } from "./errors.js";
import type { PortalClient } from "./portal-client.js";
import { batchMethods, methodAllowed, normalizeMethod } from "./scopes.js";
import type { AppStore, AuditEntry } from "./store.js";
import type { ConnectorTokens, VerifiedToken } from "./tokens.js";

export interface GatewayDeps {
  portal: PortalClient;
  tokens: ConnectorTokens;
  store: AppStore;
  logger: Logger;
  /** Body limit of a REST call (attachRecord may carry FILE_CONTENT). */
  jsonLimit?: string;
}

function bearer(req: Request): string | undefined {
  const h = req.get("authorization") ?? "";
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1];
}

function b24Error(res: Response, status: number, error: string, description: string): void {
  sendB24Error(res, status, error, description);
}

/** Replaces every `uploadUrl` string in an answer with a gateway URL (the portal URL carries its token). */
async function swapUploadUrls(node: unknown, swap: (url: string) => Promise<string>): Promise<boolean> {
  if (!node || typeof node !== "object") return false;
  let changed = false;
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === "uploadUrl" && typeof v === "string") {
      (node as Record<string, unknown>)[k] = await swap(v);
      changed = true;
    } else if (v && typeof v === "object") changed = (await swapUploadUrls(v, swap)) || changed;
  }
  return changed;
}

export function createGatewayRouter(d: GatewayDeps): Router {
  const router = Router();
  const log = d.logger.child({ component: "gateway" });

  const audit = (e: Omit<AuditEntry, "at">) =>
    void d.store.audit({ at: new Date().toISOString(), ...e }).catch((err: Error) => log.warn({ err: err.message }, "audit write failed"));

  async function authenticate(req: Request, res: Response, kind: string, methods: string): Promise<VerifiedToken | undefined> {
    try {
      return await d.tokens.verify(bearer(req));
    } catch (err) {
      if (!(err instanceof ConnectorTokenError)) throw err;
      audit({ jti: "", connectorId: "", kind: "refused", methods, status: 401, ip: req.ip ?? "", reason: err.reason });
      log.warn({ reason: err.reason, methods, ip: req.ip, kind }, "connector token refused");
      b24Error(res, 401, "INVALID_CREDENTIALS", `connector token refused: ${err.message}`);
      return undefined;
    }
  }

  function portalFailure(res: Response, err: unknown): number {
    if (err instanceof NotInstalledError) return (b24Error(res, 503, "NOT_INSTALLED", err.message), 503);
    // Sent, no answer: 504 tells the connector the portal may have run it (it checks before re-sending).
    if (err instanceof PortalNoAnswerError) return (b24Error(res, 504, err.code, err.message), 504);
    if (err instanceof PortalUnavailableError) return (b24Error(res, 503, err.code, err.message), 503);
    if (err instanceof PortalAuthError) return (b24Error(res, 401, "PORTAL_AUTH_FAILED", err.message), 401);
    throw err;
  }

  // The token is verified before the body is read: without a valid token no large body is parsed.
  const tokenFirst: express.RequestHandler = async (req, res, next) => {
    const method = normalizeMethod(String(req.params.method));
    const who = await authenticate(req, res, method === "batch" ? "batch" : "rest", method === "batch" ? "batch(?)" : method);
    if (!who) return;
    res.locals.who = who;
    next();
  };

  router.post("/rest/:method", tokenFirst, express.json({ limit: d.jsonLimit ?? "64mb", type: () => true }), async (req, res) => {
    const method = normalizeMethod(String(req.params.method));
    const body = (req.body && typeof req.body === "object" ? req.body : {}) as Record<string, unknown>;
    const methods = method === "batch" ? batchMethods(body.cmd) : [method];
    const names = methods?.join(",") ?? "batch(?)";
    const who = res.locals.who as VerifiedToken;
    const base = { jti: who.jti, connectorId: who.connectorId, kind: method === "batch" ? "batch" : "rest", methods: names, ip: req.ip ?? "" };
    if (!methods) {
      audit({ ...base, status: 400, reason: "bad batch" });
      return b24Error(res, 400, "INVALID_ARG_VALUE", "batch: cmd must be an object or array of method strings");
    }
    const denied = methods.filter((m) => !methodAllowed(who.scopes, m));
    if (denied.length > 0) {
      audit({ ...base, status: 403, reason: `outside scope: ${denied.join(",")}` });
      log.warn({ connector: who.connectorId, denied }, "method outside the token's scope");
      return b24Error(res, 403, "insufficient_scope", `connector "${who.connectorId}" may not call ${denied.join(", ")}`);
    }
    const { auth: _ignored, ...params } = body;
    try {
      const answer = await d.portal.raw(method, params);
      let payload = answer.body;
      if (answer.json && methods.some((m) => m.endsWith("attachrecord"))) {
        const swapped = await swapUploadUrls(answer.json, async (url) => {
          const id = randomBytes(24).toString("base64url");
          await d.store.saveUpload(id, JSON.stringify({ url, jti: who.jti }));
          return `${req.protocol}://${req.get("host")}${req.baseUrl}/upload/${id}`;
        });
        if (swapped) payload = Buffer.from(JSON.stringify(answer.json));
      }
      audit({ ...base, status: answer.status });
      res.status(answer.status).type(answer.contentType).send(payload);
    } catch (err) {
      const status = portalFailure(res, err);
      audit({ ...base, status, reason: (err as Error).name });
      log.warn({ err: (err as Error).message, method }, "portal call failed");
    }
  });

  // The upload id and its token are checked before the (large) body is read.
  const uploadFirst: express.RequestHandler = async (req, res, next) => {
    const raw = await d.store.upload(String(req.params.id));
    if (!raw) return b24Error(res, 404, "UPLOAD_NOT_FOUND", "unknown or expired upload id");
    const { url, jti } = JSON.parse(raw) as { url: string; jti: string };
    const state = await d.store.tokenState(jti);
    const base = { jti, connectorId: state.token?.connectorId ?? "", kind: "upload", methods: "upload", ip: req.ip ?? "" };
    if (!state.token || state.revokedAt) {
      audit({ ...base, status: 401, reason: "revoked" });
      return b24Error(res, 401, "INVALID_CREDENTIALS", "the token that asked for this upload was revoked");
    }
    res.locals.upload = { url, base };
    next();
  };

  router.post("/upload/:id", uploadFirst, express.raw({ type: () => true, limit: "512mb" }), async (req, res) => {
    const { url, base } = res.locals.upload as { url: string; base: Omit<AuditEntry, "at" | "status"> };
    try {
      const r = await fetch(url, {
        method: "POST",
        headers: { "content-type": req.get("content-type") ?? "application/octet-stream" },
        body: req.body as Buffer,
        signal: AbortSignal.timeout(300_000),
      });
      const buf = Buffer.from(await r.arrayBuffer());
      audit({ ...base, status: r.status });
      res
        .status(r.status)
        .type(r.headers.get("content-type") ?? "application/json")
        .send(buf);
    } catch (err) {
      audit({ ...base, status: 503, reason: (err as Error).message });
      b24Error(res, 503, "PORTAL_UNREACHABLE", `upload failed: ${(err as Error).message}`);
    }
  });

  // Bad JSON → 400, body over the limit → 413, in Bitrix24's error shape (the connector reads it as such).
  router.use(b24ErrorHandler(log));
  return router;
}
