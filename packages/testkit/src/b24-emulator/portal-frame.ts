/**
 * The portal's application frame, the way Bitrix24 shows a local application (`/_emulator/portal/app`) and its
 * placements (`/_emulator/portal/call-card?callId=…`, one tab per CALL_CARD handler):
 *
 *   - an <iframe name="DOMAIN|PROTOCOL|APP_SID"> (b24jssdk reads DOMAIN and APP_SID from window.name);
 *   - a hidden form POSTed into it: handler?DOMAIN&PROTOCOL&LANG&APP_SID with AUTH_ID, AUTH_EXPIRES, REFRESH_ID,
 *     SERVER_ENDPOINT, member_id, status, PLACEMENT, PLACEMENT_OPTIONS (JSON) — a fresh token of the viewing user;
 *   - the parent side of the frame protocol: string commands `cmd[:params]:callbackKey:appSid` (or the object form
 *     {method, params, callback, appSid}) answered with `callbackKey:JSON` posted to the frame's origin. Commands:
 *     getInitData, refreshAuth, setInstall(Finish), resizeWindow, setTitle, setScroll, getInterface, and the
 *     CALL_CARD interface (CallCardSetCardTitle, …). Anything else is listed as unsupported on the page (and
 *     answered with an error object) so a test sees what the app asked for.
 */
import { randomBytes } from "node:crypto";
import type { Portal } from "./portal.js";

export interface FrameSpec {
  /** Tab title. */
  title: string;
  handler: string;
  placement: string;
  options: Record<string, unknown>;
}

export interface FramePageInput {
  userId: number;
  lang: string;
  frames: FrameSpec[];
  /** Heading of the portal page. */
  heading: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

/** What Bitrix24 gives the CALL_CARD placement (PLACEMENT_OPTIONS and the interface's getStatus()). */
export function callCardOptions(portal: Portal, callId: string): Record<string, unknown> {
  const c = portal.state.calls.get(callId);
  if (!c) throw new Error(`no call ${callId}`);
  const direction = c.direction === "outgoing" ? "outgoing" : c.direction === "callback" ? "callback" : c.direction === "incoming-redirect" ? "incomingTransfer" : "incoming";
  return {
    CALL_ID: c.CALL_ID,
    PHONE_NUMBER: c.PHONE_NUMBER,
    CRM_ENTITY_TYPE: c.CRM_ENTITY_TYPE ?? "",
    CRM_ENTITY_ID: c.CRM_ENTITY_ID ?? 0,
    CRM_ACTIVITY_ID: Number(c.activity?.["ID"] ?? 0),
    CALL_DIRECTION: direction,
    CALL_LIST_MODE: false,
    CRM_BINDINGS: c.CRM_ENTITY_TYPE ? [{ ENTITY_TYPE: c.CRM_ENTITY_TYPE, ENTITY_ID: c.CRM_ENTITY_ID }] : [],
  };
}

/** The frames of one page: DEFAULT → the app's handler; CALL_CARD → every bound CALL_CARD handler. */
export function framesFor(portal: Portal, kind: "app" | "call-card", callId?: string): FrameSpec[] {
  if (kind === "app") {
    if (!portal.appHandlerUrl) throw new Error("the app has no handler URL (options.oauth.handlerUrl / setAppHandlerUrl)");
    return [{ title: portal.auth.appName, handler: portal.appHandlerUrl, placement: "DEFAULT", options: {} }];
  }
  const options = callCardOptions(portal, callId ?? "");
  return portal.state.placements.filter((p) => p.placement === "CALL_CARD").map((p) => ({ title: p.title, handler: p.handler, placement: "CALL_CARD", options }));
}

export function renderFramePage(portal: Portal, input: FramePageInput): string {
  const user = portal.state.users.get(input.userId);
  if (!user) throw new Error(`no user ${input.userId}`);
  const domain = new URL(portal.baseUrl).host;
  const frames = input.frames.map((f, i) => {
    const t = portal.auth.issue(input.userId);
    const sid = randomBytes(16).toString("hex");
    const url = new URL(f.handler);
    url.searchParams.set("DOMAIN", domain);
    url.searchParams.set("PROTOCOL", "0");
    url.searchParams.set("LANG", input.lang);
    url.searchParams.set("APP_SID", sid);
    const post: Record<string, string> = {
      AUTH_ID: t.access_token,
      AUTH_EXPIRES: String(t.expires_in),
      REFRESH_ID: t.refresh_token,
      SERVER_ENDPOINT: t.server_endpoint,
      member_id: t.member_id,
      status: t.status,
      PLACEMENT: f.placement,
      PLACEMENT_OPTIONS: JSON.stringify(f.options),
    };
    const init = {
      LANG: input.lang,
      PROTOCOL: 0,
      DOMAIN: domain,
      PATH: url.pathname,
      AUTH_ID: t.access_token,
      AUTH_EXPIRES: t.expires_in,
      REFRESH_ID: t.refresh_token,
      MEMBER_ID: t.member_id,
      IS_ADMIN: user.IS_ADMIN,
      INSTALL: false,
      FIRST_RUN: false,
      USER_OPTIONS: [],
      APP_OPTIONS: [],
      PLACEMENT: f.placement,
      PLACEMENT_OPTIONS: f.options,
    };
    return { index: i, title: f.title, name: `${domain}|0|${sid}`, sid, action: url.toString(), origin: url.origin, post, init };
  });
  const forms = frames
    .map(
      (f) => `<section class="tab" data-placement="${esc(input.frames[f.index]!.placement)}">
  <h2>${esc(f.title)}</h2>
  <form method="post" action="${esc(f.action)}" target="${esc(f.name)}" hidden>${Object.entries(f.post)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join("")}</form>
  <iframe name="${esc(f.name)}" id="frame-${f.index}" title="${esc(f.title)}"></iframe>
</section>`,
    )
    .join("\n");
  const config = JSON.stringify(frames.map((f) => ({ sid: f.sid, origin: f.origin, init: f.init, index: f.index }))).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="${esc(input.lang)}">
<head>
<meta charset="utf-8">
<title>${esc(input.heading)} — Bitrix24 emulator</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #eef2f4; color: #1d2129; }
  header { background: #2fc6f6; color: #fff; padding: .6rem 1rem; font-weight: 600; }
  header small { font-weight: 400; opacity: .85; margin-left: 1rem; }
  main { padding: 1rem; }
  .tab h2 { font-size: .95rem; margin: 0 0 .4rem; }
  iframe { width: 100%; height: 400px; border: 1px solid #cfd6dc; background: #fff; border-radius: 4px; }
  #frame-log { font: 12px ui-monospace, monospace; color: #555; margin-top: .5rem; }
  #empty { color: #888; }
</style>
</head>
<body>
<header>Bitrix24 — ${esc(input.heading)}<small id="who" data-user="${user.ID}">${esc(`${user.NAME} ${user.LAST_NAME}`.trim())}${user.IS_ADMIN ? " (administrator)" : ""}</small></header>
<main>
${forms || '<p id="empty">No application is bound to this place.</p>'}
<div id="frame-log"></div>
</main>
<script>
"use strict";
const FRAMES = ${config};
const log = document.getElementById("frame-log");
const seen = [];
function note(text) {
  seen.push(text);
  log.textContent = seen.slice(-20).join("\\n");
}
window.__frameCommands = seen;
function frameOf(source) {
  for (const f of FRAMES) if (document.getElementById("frame-" + f.index).contentWindow === source) return f;
  return undefined;
}
function parse(data) {
  if (typeof data === "string") {
    const parts = data.split(":");
    if (parts.length < 3) return undefined;
    return { cmd: parts[0], params: parts.slice(1, -2).join(":"), key: parts[parts.length - 2], sid: parts[parts.length - 1] };
  }
  if (data && typeof data === "object" && typeof data.method === "string") return { cmd: data.method, params: data.params, key: data.callback, sid: data.appSid };
  return undefined;
}
async function answer(f, m) {
  switch (m.cmd) {
    case "getInitData": return f.init;
    case "refreshAuth": {
      const r = await fetch("/_emulator/oauth/tokens", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ userId: ${input.userId} }) });
      const t = await r.json();
      f.init.AUTH_ID = t.access_token; f.init.REFRESH_ID = t.refresh_token; f.init.AUTH_EXPIRES = t.expires_in;
      return { AUTH_ID: t.access_token, REFRESH_ID: t.refresh_token, AUTH_EXPIRES: t.expires_in };
    }
    case "resizeWindow": {
      let size = {};
      try { size = JSON.parse(m.params || "{}"); } catch {}
      const el = document.getElementById("frame-" + f.index);
      if (Number(size.height) > 0) el.style.height = Math.ceil(Number(size.height)) + "px";
      return {};
    }
    case "setInstall": case "setInstallFinish": case "setScroll": case "reloadWindow": return {};
    case "setTitle": {
      let title = "";
      try { title = JSON.parse(m.params || "{}").title || ""; } catch {}
      document.title = title + " — Bitrix24 emulator";
      return {};
    }
    case "getInterface":
      return f.init.PLACEMENT === "CALL_CARD"
        ? { command: ["getStatus", "disableAutoClose", "enableAutoClose", "CallCardSetCardTitle", "CallCardSetStatusText"], event: ["CallCard::EntityChanged", "CallCard::BeforeClose", "CallCard::CallStateChanged"] }
        : { command: [], event: [] };
    case "getStatus": return f.init.PLACEMENT_OPTIONS;
    case "disableAutoClose": case "enableAutoClose": case "CallCardSetCardTitle": case "CallCardSetStatusText": return {};
    default:
      note("unsupported: " + m.cmd);
      return { error: "UNSUPPORTED_COMMAND", error_description: m.cmd };
  }
}
window.addEventListener("message", (ev) => {
  const f = frameOf(ev.source);
  if (!f || ev.origin !== f.origin) return;
  const m = parse(ev.data);
  if (!m || m.sid !== f.sid) { note("refused: wrong APP_SID"); return; }
  note(m.cmd);
  Promise.resolve(answer(f, m)).then((result) => {
    ev.source.postMessage(m.key + ":" + JSON.stringify(result ?? {}), f.origin);
  });
});
for (const form of document.querySelectorAll("form")) form.submit();
</script>
</body>
</html>
`;
}
