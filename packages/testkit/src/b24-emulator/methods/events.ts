/**
 * Events (fact sheet §2.3): `event.bind/unbind/get`, offline events (`event.offline.get/clear`) and delivery of
 * portal events to bound handlers as form-encoded POSTs with PHP bracket keys and `auth[application_token]`.
 */
import { RestError } from "../errors.js";
import { buildPhpQuery, phpInt, phpTruthy } from "../php-query.js";
import type { MethodContext, MethodDef, Portal } from "../portal.js";
import type { EventBinding } from "../state.js";
import { pick } from "./user.js";

export const KNOWN_EVENTS = new Set([
  "ONEXTERNALCALLSTART",
  "ONEXTERNALCALLBACKSTART",
  "ONVOXIMPLANTCALLINIT",
  "ONVOXIMPLANTCALLSTART",
  "ONVOXIMPLANTCALLEND",
  "ONAPPINSTALL",
  "ONAPPUNINSTALL",
  "ONCRMLEADADD",
  "ONCRMLEADUPDATE",
  "ONCRMCONTACTADD",
  "ONCRMCONTACTUPDATE",
  "ONCRMACTIVITYADD",
  "ONUSERADD",
]);

/** Events delivered only to handlers of the line's app ("Wrong app!" filter). */
const APP_FILTERED = new Set(["ONEXTERNALCALLSTART", "ONEXTERNALCALLBACKSTART"]);

export interface DeliveryResult {
  event: string;
  handlerId: number;
  handler: string;
  offline: boolean;
  status?: number;
  error?: string;
  /** The exact form body posted (online) — for tests. */
  body?: string;
}

export const deliveries: WeakMap<Portal, DeliveryResult[]> = new WeakMap();

function deliveryLog(portal: Portal): DeliveryResult[] {
  let list = deliveries.get(portal);
  if (!list) {
    list = [];
    deliveries.set(portal, list);
  }
  return list;
}

export function eventDeliveries(portal: Portal): DeliveryResult[] {
  return [...deliveryLog(portal)];
}

function authBlock(portal: Portal, b: EventBinding): Record<string, unknown> {
  const base = portal.baseUrl;
  const common = {
    domain: new URL(base).host,
    client_endpoint: `${base}/rest/`,
    member_id: portal.auth.memberId,
    application_token: portal.auth.applicationToken,
  };
  if (b.credential.startsWith("webhook")) return { ...common, server_endpoint: `${base}/rest/` };
  const t = portal.auth.issue(b.authType > 0 ? b.authType : undefined);
  return {
    access_token: t.access_token,
    expires: t.expires,
    expires_in: t.expires_in,
    scope: t.scope,
    ...common,
    status: t.status,
    user_id: t.user_id,
  };
}

/**
 * Send `event` to every matching binding: online handlers get a form-encoded POST (no retries), offline bindings
 * queue it for event.offline.get. `appId` is the app the event belongs to (null = not app-specific).
 */
export async function deliverEvent(portal: Portal, eventName: string, data: Record<string, unknown>, appId: number | null): Promise<DeliveryResult[]> {
  const event = eventName.toUpperCase();
  const targets = portal.state.bindings.filter((b) => b.event === event && (!APP_FILTERED.has(event) || b.appId === appId || appId === null));
  const log = deliveryLog(portal);
  const results = await Promise.all(
    targets.map(async (b): Promise<DeliveryResult> => {
      const ts = Math.floor(portal.now() / 1000);
      if (b.offline) {
        const id = portal.state.nextId("offline-event");
        portal.state.offline.push({
          ID: id,
          TIMESTAMP_X: portal.date(portal.now()),
          EVENT_NAME: event,
          EVENT_DATA: data,
          EVENT_ADDITIONAL: { user_id: String(b.authType || 1) },
          MESSAGE_ID: `${id.toString(16).padStart(8, "0")}${ts.toString(16)}`,
          processId: null,
          appId: b.appId,
        });
        portal.counters.eventsQueued++;
        const r: DeliveryResult = { event, handlerId: b.id, handler: b.handler, offline: true };
        log.push(r);
        return r;
      }
      const body = buildPhpQuery({ event, event_handler_id: b.id, data, ts, auth: authBlock(portal, b) });
      const r: DeliveryResult = { event, handlerId: b.id, handler: b.handler, offline: false, body };
      try {
        const res = await fetch(b.handler, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Bitrix24 Webhook Engine" },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer().catch(() => undefined);
        r.status = res.status;
        if (res.ok) portal.counters.eventsDelivered++;
        else portal.counters.eventsFailed++;
      } catch (e) {
        r.error = (e as Error).message;
        portal.counters.eventsFailed++;
      }
      log.push(r);
      return r;
    }),
  );
  return results;
}

function requireAdmin(ctx: MethodContext): void {
  const u = ctx.portal.state.users.get(ctx.auth.userId);
  if (!u?.IS_ADMIN) throw new RestError(403, "ACCESS_DENIED", "Access denied! Admin permissions required");
}

function bind(ctx: MethodContext): boolean {
  const event = String(pick(ctx.params, "event") ?? "").toUpperCase();
  if (!KNOWN_EVENTS.has(event)) throw new RestError(400, "ERROR_EVENT_NOT_FOUND", "Event not found");
  const offline = String(pick(ctx.params, "event_type") ?? "online").toLowerCase() === "offline";
  const handler = String(pick(ctx.params, "handler") ?? "");
  if (!offline && !/^https?:\/\//i.test(handler)) throw new RestError(400, "WRONG_HANDLER_URL", "Wrong handler URL");
  const authType = phpInt(pick(ctx.params, "auth_type"));
  if (offline || (authType > 0 && authType !== ctx.auth.userId)) requireAdmin(ctx);
  const state = ctx.portal.state;
  if (state.bindings.some((b) => b.event === event && b.handler === handler && b.offline === offline && b.appId === ctx.auth.appId)) {
    throw new RestError(400, "ERROR_HANDLER_ALREADY_EXIST", "Handler already exists!");
  }
  state.bindings.push({
    id: state.nextId("event-handler"),
    event,
    handler,
    offline,
    authType,
    appId: ctx.auth.appId,
    credential: ctx.auth.credentialKey,
  });
  return true;
}

function unbind(ctx: MethodContext): unknown {
  const event = String(pick(ctx.params, "event") ?? "").toUpperCase();
  const handler = pick(ctx.params, "handler");
  const offline = String(pick(ctx.params, "event_type") ?? "online").toLowerCase() === "offline";
  const before = ctx.portal.state.bindings.length;
  ctx.portal.state.bindings = ctx.portal.state.bindings.filter(
    (b) => !(b.event === event && b.appId === ctx.auth.appId && b.offline === offline && (handler === undefined || b.handler === handler)),
  );
  return { count: before - ctx.portal.state.bindings.length };
}

function get(ctx: MethodContext): unknown {
  return ctx.portal.state.bindings
    .filter((b) => b.appId === ctx.auth.appId)
    .map((b) => ({ event: b.event, handler: b.handler, auth_type: String(b.authType), offline: b.offline ? 1 : 0 }));
}

function offlineGet(ctx: MethodContext): unknown {
  requireAdmin(ctx);
  const clearRaw = pick(ctx.params, "clear");
  const clear = clearRaw === undefined ? true : phpTruthy(clearRaw);
  const limit = Math.min(1000, Math.max(1, phpInt(pick(ctx.params, "limit")) || 50));
  const state = ctx.portal.state;
  const mine = state.offline.filter((e) => e.appId === ctx.auth.appId && e.processId === null).slice(0, limit);
  const processId = clear ? null : `${ctx.portal.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
  if (clear) state.offline = state.offline.filter((e) => !mine.includes(e));
  else for (const e of mine) e.processId = processId;
  return {
    process_id: processId,
    events: mine.map(({ processId: _p, appId: _a, ...e }) => e),
  };
}

function offlineClear(ctx: MethodContext): boolean {
  requireAdmin(ctx);
  const pid = String(pick(ctx.params, "process_id") ?? "");
  if (pid === "") throw new RestError(400, "ERROR_PROCESS_ID", "process_id is required");
  const ids = pick(ctx.params, "id");
  const idList = Array.isArray(ids) ? ids.map(phpInt) : null;
  ctx.portal.state.offline = ctx.portal.state.offline.filter((e) => !(e.processId === pid && (idList === null || idList.includes(e.ID))));
  return true;
}

export const eventMethods: Record<string, MethodDef> = {
  "event.bind": { handler: bind, appOnly: true },
  "event.unbind": { handler: unbind, appOnly: true },
  "event.get": { handler: get, appOnly: true },
  "event.offline.get": { handler: offlineGet, appOnly: true },
  "event.offline.clear": { handler: offlineClear, appOnly: true },
};
