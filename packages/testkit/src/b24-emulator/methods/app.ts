/**
 * The app's own context: `app.info`, `user.admin`, `profile` and placements (`placement.bind/unbind/get/list`).
 * Placements follow the REST docs: bind, unbind and get need an administrator and an OAuth app (a webhook has no
 * app to bind to: WRONG_AUTH_TYPE); the handler must live on the host of the app's handler URL; `placement.list`
 * lists the places the portal offers. Every app page and placement frame opens with a token of the viewing user.
 */
import { RestError } from "../errors.js";
import type { MethodContext, MethodDef } from "../portal.js";
import { pick } from "./user.js";

/** Places this portal offers (a subset of the real list: the ones telephony and CRM apps use). */
export const KNOWN_PLACEMENTS = [
  "DEFAULT",
  "CALL_CARD",
  "TELEPHONY_ANALYTICS_MENU",
  "CRM_CONTACT_DETAIL_TAB",
  "CRM_LEAD_DETAIL_TAB",
  "CRM_DEAL_DETAIL_TAB",
  "CRM_COMPANY_DETAIL_TAB",
  "CRM_CONTACT_LIST_MENU",
  "LEFT_MENU",
  "PAGE_BACKGROUND_WORKER",
] as const;

function isAdmin(ctx: MethodContext): boolean {
  return ctx.portal.state.users.get(ctx.auth.userId)?.IS_ADMIN === true;
}

function requireAdmin(ctx: MethodContext): void {
  if (!isAdmin(ctx)) throw new RestError(403, "ACCESS_DENIED", "Access denied! Admin permissions required");
}

function requireApp(ctx: MethodContext): number {
  if (ctx.auth.appId === null) throw new RestError(403, "WRONG_AUTH_TYPE", "Current authorization type is denied for this method");
  return ctx.auth.appId;
}

function placementCode(ctx: MethodContext): string {
  const code = String(pick(ctx.params, "PLACEMENT") ?? "").toUpperCase();
  if (code === "") throw new RestError(400, "ERROR_PLACEMENT_NOT_FOUND", "Placement not found");
  if (!(KNOWN_PLACEMENTS as readonly string[]).includes(code) || code === "DEFAULT") throw new RestError(400, "ERROR_PLACEMENT_NOT_FOUND", "Placement not found");
  return code;
}

function bind(ctx: MethodContext): boolean {
  const appId = requireApp(ctx);
  requireAdmin(ctx);
  const placement = placementCode(ctx);
  const handler = String(pick(ctx.params, "HANDLER") ?? "");
  if (!/^https?:\/\//i.test(handler)) throw new RestError(400, "ERROR_WRONG_HANDLER_URL", "Wrong handler URL");
  const appHandler = ctx.portal.appHandlerUrl;
  if (appHandler && new URL(handler).host !== new URL(appHandler).host) {
    throw new RestError(400, "ERROR_WRONG_HANDLER_URL", "Handler URL host must be equal to the application host");
  }
  const state = ctx.portal.state;
  if (state.placements.some((p) => p.appId === appId && p.placement === placement && p.handler === handler)) {
    throw new RestError(400, "ERROR_PLACEMENT_HANDLER_ALREADY_BINDED", "Handler already binded");
  }
  state.placements.push({
    id: state.nextId("placement"),
    placement,
    handler,
    title: String(pick(ctx.params, "TITLE") ?? ctx.portal.auth.appName),
    description: String(pick(ctx.params, "DESCRIPTION") ?? ""),
    userId: Number(pick(ctx.params, "USER_ID") ?? 0) || 0,
    appId,
  });
  return true;
}

function unbind(ctx: MethodContext): unknown {
  const appId = requireApp(ctx);
  requireAdmin(ctx);
  const placement = placementCode(ctx);
  const handler = pick(ctx.params, "HANDLER");
  const state = ctx.portal.state;
  const before = state.placements.length;
  state.placements = state.placements.filter((p) => !(p.appId === appId && p.placement === placement && (handler === undefined || p.handler === String(handler))));
  return { count: before - state.placements.length };
}

function get(ctx: MethodContext): unknown {
  const appId = requireApp(ctx);
  requireAdmin(ctx);
  return ctx.portal.state.placements
    .filter((p) => p.appId === appId)
    .map((p) => ({ placement: p.placement, handler: p.handler, title: p.title, description: p.description, options: [], userId: String(p.userId) }));
}

function list(ctx: MethodContext): unknown {
  requireApp(ctx);
  return KNOWN_PLACEMENTS.filter((p) => p !== "DEFAULT");
}

function appInfo(ctx: MethodContext): unknown {
  const appId = requireApp(ctx);
  const auth = ctx.portal.auth;
  return { ID: appId, CODE: auth.clientId, VERSION: 1, STATUS: "L", INSTALLED: true, PAYMENT_EXPIRED: "N", DAYS: null, LANGUAGE_ID: "en", LICENSE: "en_selfhosted" };
}

export const appMethods: Record<string, MethodDef> = {
  "app.info": { handler: appInfo },
  "user.admin": { handler: (ctx) => isAdmin(ctx) },
  profile: {
    handler: (ctx) => {
      const u = ctx.portal.state.users.get(ctx.auth.userId);
      return { ID: String(ctx.auth.userId), ADMIN: isAdmin(ctx), NAME: u?.NAME ?? "", LAST_NAME: u?.LAST_NAME ?? "", PERSONAL_GENDER: "", TIME_ZONE: "" };
    },
  },
  "placement.bind": { handler: bind, notInBatch: false },
  "placement.unbind": { handler: unbind },
  "placement.get": { handler: get },
  "placement.list": { handler: list },
};
