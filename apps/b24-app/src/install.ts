/**
 * Installation as a local application of the portal ("script only", see docs/b24-app.md):
 *
 *   POST /b24/install?key=<install key>
 *     - script-only app: the ONAPPINSTALL event (auth[access_token], auth[refresh_token],
 *       auth[application_token], auth[member_id], auth[domain], …);
 *     - app with a page: AUTH_ID, REFRESH_ID, AUTH_EXPIRES, member_id, DOMAIN, APPLICATION_TOKEN.
 *
 * The key in the URL (shown by `b24-app install-url`) is the first guard: nobody else can replace
 * the installation. In oauth mode the access token is also checked against the configured portal
 * (user.current) before anything is stored. Then the pair and the application_token are saved and
 * OnExternalCallStart / OnExternalCallBackStart (and OnAppUninstall) are bound — online to our
 * event URL, or offline when the portal cannot reach us.
 */
import express, { Router } from "express";
import type { Logger } from "pino";
import { secretEquals } from "./app-token.js";
import { InstallError, PortalCallError } from "./errors.js";
import { PortalClient } from "./portal-client.js";
import type { PortalCredential, PreparedCall } from "./portal-credential.js";
import { bindPlacements, type PlacementSpec } from "./placements.js";
import type { AppStore, InstallRecord, OAuthPair } from "./store.js";
import { sendB24Error } from "./http-errors.js";

export interface InstallDeps {
  store: AppStore;
  installKey: string;
  portalUrl: string;
  credentialMode: "oauth" | "webhook";
  eventsMode: "online" | "offline";
  eventHandlerUrl: string;
  /** Placements to bind (CALL_CARD tab; placements.ts). */
  placements: PlacementSpec[];
  timeoutMs: number;
  logger: Logger;
  /** After a successful install (start the offline poller, …). */
  onInstalled?: () => void;
}

/** One access token used as is (the install token; a frame user's token), no renewal. */
export class InstallTokenCredential implements PortalCredential {
  readonly kind = "oauth";
  constructor(
    private readonly restUrl: string,
    private readonly token: string,
  ) {}
  async prepare(method: string): Promise<PreparedCall> {
    return { url: `${this.restUrl}${method}`, body: { auth: this.token }, credential: this.token };
  }
}

interface ParsedInstall {
  record: InstallRecord;
  pair: OAuthPair;
  ui: boolean;
}

function str(v: unknown): string {
  return typeof v === "string" ? v : v === undefined || v === null ? "" : String(v);
}

export function parseInstallRequest(body: Record<string, unknown>, query: Record<string, unknown>): ParsedInstall {
  const now = new Date().toISOString();
  if (str(body.event).toUpperCase() === "ONAPPINSTALL") {
    const a = (body.auth && typeof body.auth === "object" ? body.auth : {}) as Record<string, unknown>;
    if (!str(a.access_token) || !str(a.application_token)) throw new InstallError(400, "ONAPPINSTALL without auth[access_token] / auth[application_token]");
    return {
      record: { memberId: str(a.member_id), domain: str(a.domain), applicationToken: str(a.application_token), installedAt: now, scope: str(a.scope), userId: str(a.user_id) },
      pair: { accessToken: str(a.access_token), refreshToken: str(a.refresh_token), expires: Number(a.expires ?? 0) || 0 },
      ui: false,
    };
  }
  if (str(body.AUTH_ID)) {
    const token = str(body.APPLICATION_TOKEN) || str(query.APPLICATION_TOKEN);
    if (!token) throw new InstallError(400, 'no APPLICATION_TOKEN in the install request: create the local application as "Script only (no user interface)"');
    return {
      record: { memberId: str(body.member_id), domain: str(query.DOMAIN ?? body.DOMAIN), applicationToken: token, installedAt: now, scope: "", userId: "" },
      pair: { accessToken: str(body.AUTH_ID), refreshToken: str(body.REFRESH_ID), expires: Math.floor(Date.now() / 1000) + (Number(body.AUTH_EXPIRES ?? 3600) || 3600) },
      ui: true,
    };
  }
  throw new InstallError(400, "not an install request (neither ONAPPINSTALL nor AUTH_ID)");
}

const BOUND_EVENTS = ["ONEXTERNALCALLSTART", "ONEXTERNALCALLBACKSTART"];

/** event.bind for the click-to-call events; an existing identical binding is fine. */
export async function bindEvents(client: PortalClient, mode: "online" | "offline", handlerUrl: string): Promise<string[]> {
  const bound: string[] = [];
  const events = mode === "online" ? [...BOUND_EVENTS, "ONAPPUNINSTALL"] : BOUND_EVENTS;
  for (const event of events) {
    try {
      await client.call("event.bind", mode === "online" ? { event, handler: handlerUrl } : { event, handler: handlerUrl, event_type: "offline" });
      bound.push(event);
    } catch (err) {
      if (err instanceof PortalCallError && err.code === "ERROR_HANDLER_ALREADY_EXIST") bound.push(event);
      else throw err;
    }
  }
  return bound;
}

export function createInstallRouter(d: InstallDeps): Router {
  const router = Router();
  const log = d.logger.child({ component: "install" });
  const restUrl = new URL("/rest/", d.portalUrl).toString();
  // The install key (in the URL) is checked before the body is read.
  const keyFirst: express.RequestHandler = (req, res, next) => {
    if (secretEquals(req.query.key, d.installKey)) return next();
    log.warn({ ip: req.ip }, "install refused: wrong or missing install key");
    sendB24Error(res, 403, "INSTALL_REFUSED", "wrong or missing install key");
  };
  router.post("/", keyFirst, express.urlencoded({ extended: true, limit: "256kb" }), async (req, res) => {
    try {
      const parsed = parseInstallRequest((req.body ?? {}) as Record<string, unknown>, req.query as Record<string, unknown>);
      const once = new PortalClient(new InstallTokenCredential(restUrl, parsed.pair.accessToken), d.timeoutMs);
      if (d.credentialMode === "oauth") {
        // The token must open OUR portal: a forged install with someone else's token fails here.
        try {
          await once.call("user.current");
        } catch (err) {
          throw new InstallError(403, `the install token does not open ${new URL(d.portalUrl).host}: ${(err as Error).message}`);
        }
      }
      await d.store.saveInstall(parsed.record, d.credentialMode === "oauth" ? parsed.pair : undefined);
      let bound: string[] = [];
      try {
        bound = await bindEvents(once, d.eventsMode, d.eventHandlerUrl);
      } catch (err) {
        log.error({ err: (err as Error).message }, "installed, but binding the click-to-call events failed (see docs/b24-app.md: outgoing webhook)");
      }
      let placements: string[] = [];
      try {
        placements = await bindPlacements(once, d.placements);
      } catch (err) {
        log.error({ err: (err as Error).message }, "installed, but binding the CALL_CARD placement failed (the installing user must be an administrator)");
      }
      log.info({ domain: parsed.record.domain, member: parsed.record.memberId, bound, placements, events: d.eventsMode }, "application installed");
      d.onInstalled?.();
      if (parsed.ui) {
        res.type("html").send("<!doctype html><html><body>Asterisk connector installed. Prefer a &laquo;script only&raquo; application (docs/b24-app.md).</body></html>");
      } else res.json({ installed: true, bound, placements });
    } catch (err) {
      if (!(err instanceof InstallError)) throw err;
      log.warn({ err: err.message, ip: req.ip }, "install refused");
      sendB24Error(res, err.status, "INSTALL_REFUSED", err.message);
    }
  });
  return router;
}
