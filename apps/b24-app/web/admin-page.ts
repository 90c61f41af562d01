/**
 * The app's page (placement DEFAULT), for portal administrators: the connector's and the b24-app's
 * status, the connector tokens (issue / list / revoke), the event and placement bindings, and the
 * users ↔ extensions table. Portal data (event.get, placement.get, user.get) comes through
 * b24jssdk with the viewer's token; the rest from the b24-app's admin API.
 */
import type { B24Frame } from "@bitrix24/b24jssdk";
import type { IssuedToken } from "../src/store.js";
import { ApiError, appApi, portalCall, portalList } from "./api.js";
import { h, pill, showError, table, type Child } from "./dom.js";
import { MATCH_TEXT, matchUsersAndExtensions, type PortalUser, type SeenExtension } from "./users-table.js";

interface Overview {
  app: { health: string; problems?: string[]; installed: { domain: string; at: string } | null; credential: string; events: Record<string, unknown> };
  connector: {
    linked: boolean;
    url?: string;
    error?: string;
    status?: { app_status: string; app_state?: string; version?: string; problems?: string[]; app?: Record<string, { health: string; note?: string }> } | null;
  };
}

type TokenRow = IssuedToken & { revokedAt?: string };

const REQUIRED_EVENTS = ["ONEXTERNALCALLSTART", "ONEXTERNALCALLBACKSTART"];

function tone(health: string | undefined): "ok" | "warn" | "bad" {
  return health === "Ok" ? "ok" : health === "Warning" ? "warn" : "bad";
}

function section(id: string, title: string, ...body: Child[]): HTMLElement {
  return h("section", { id, class: "card" }, h("h2", {}, title), ...body);
}

function replace(id: string, el: HTMLElement): void {
  document.getElementById(id)?.replaceWith(el);
}

function statusSection(o: Overview): HTMLElement {
  const app = o.app;
  const appCard = h(
    "div",
    { id: "app-status" },
    h("h3", {}, "b24-app ", pill(app.health, tone(app.health))),
    h(
      "dl",
      {},
      h("dt", {}, "Installed"),
      h("dd", {}, app.installed ? `${app.installed.domain}, ${app.installed.at}` : "not installed"),
      h("dt", {}, "Portal credential"),
      h("dd", {}, app.credential),
      h("dt", {}, "Events"),
      h("dd", {}, String(app.events.mode)),
    ),
    ...(app.problems ?? []).map((p) => h("p", { class: "warn" }, p)),
  );
  const c = o.connector;
  let connectorCard: HTMLElement;
  if (!c.linked)
    connectorCard = h(
      "div",
      { id: "connector-status" },
      h("h3", {}, "Connector ", pill("not linked", "warn")),
      h("p", { class: "muted" }, "Add `connector: {url, user, password}` to the b24-app configuration to see the connector here."),
    );
  else if (c.error || !c.status)
    connectorCard = h("div", { id: "connector-status" }, h("h3", {}, "Connector ", pill("unreachable", "bad")), h("p", { class: "bad" }, c.error ?? "no status"));
  else {
    const st = c.status;
    // A component's plain note (e.g. the licence of the demo: "demo, evaluation licence") follows its pill.
    const parts = Object.entries(st.app ?? {}).map(([name, s]) =>
      h("span", { class: "component", "data-name": name }, `${name} `, pill(s.health, tone(s.health)), s.note ? ` ${s.note} ` : " "),
    );
    connectorCard = h(
      "div",
      { id: "connector-status", "data-health": st.app_status },
      h("h3", {}, "Connector ", pill(st.app_status, tone(st.app_status))),
      h("p", { class: "muted" }, `${c.url ?? ""}${st.version ? ` · version ${st.version}` : ""}`),
      h("p", {}, ...parts),
      ...(st.problems ?? []).map((p) => h("p", { class: tone(st.app_status) }, p)),
    );
  }
  return section("status", "Status", h("div", { class: "grid" }, connectorCard, appCard));
}

function tokensSection(b24: B24Frame, rows: TokenRow[], issued?: { jti: string; block: string }): HTMLElement {
  const connectorId = h("input", { id: "token-connector", placeholder: "connector id, e.g. pbx-1", size: "22" }) as HTMLInputElement;
  const note = h("input", { id: "token-note", placeholder: "note (optional)", size: "22" }) as HTMLInputElement;
  const issue = async () => {
    showError("");
    try {
      const r = await appApi<{ record: TokenRow; auth: Record<string, unknown> }>(b24, "tokens", {
        method: "POST",
        body: { connectorId: connectorId.value.trim(), note: note.value.trim() },
      });
      await renderTokens(b24, { jti: r.record.jti, block: JSON.stringify({ b24: { auth: r.auth } }, null, 2) });
    } catch (err) {
      showError(`Issue failed: ${(err as Error).message}`);
    }
  };
  const revoke = (jti: string) => async () => {
    showError("");
    try {
      await appApi(b24, `tokens/${encodeURIComponent(jti)}/revoke`, { method: "POST", body: {} });
      await renderTokens(b24);
    } catch (err) {
      showError(`Revoke failed: ${(err as Error).message}`);
    }
  };
  const body: Child[][] = rows.map((t) => [
    h("span", { class: "mono" }, t.jti),
    t.connectorId,
    h("span", { title: t.scopes.join(", ") }, `${t.scopes.length} methods`),
    t.issuedAt.slice(0, 19).replace("T", " "),
    t.expiresAt.slice(0, 10),
    t.note ?? "",
    t.revokedAt ? pill(`revoked ${t.revokedAt.slice(0, 19).replace("T", " ")}`, "bad") : pill("active", "ok"),
    t.revokedAt ? "" : h("button", { class: "revoke", "data-jti": t.jti, onclick: revoke(t.jti) }, "Revoke"),
  ]);
  const tbl = table(["Token id", "Connector", "Scope", "Issued (UTC)", "Expires", "Note", "State", ""], body, { id: "tokens-table" });
  tbl.querySelectorAll("tbody tr").forEach((tr, i) => tr.setAttribute("data-jti", rows[i]!.jti));
  return section(
    "tokens",
    "Connector tokens",
    h(
      "p",
      { class: "muted" },
      'A connector reaches Bitrix24 through this app\'s gateway with one of these tokens (b24.auth mode "gateway"). Revoking takes effect on its next request.',
    ),
    h("p", {}, connectorId, " ", note, " ", h("button", { class: "primary", id: "token-issue", onclick: issue }, "Issue token")),
    issued
      ? h(
          "div",
          { id: "token-issued" },
          h("p", { class: "warn" }, `Token ${issued.jti} — copy it into the connector's configuration now; it is not shown again.`),
          h("textarea", { rows: "7", readonly: true }, issued.block),
        )
      : null,
    rows.length ? tbl : h("p", { class: "muted", id: "tokens-empty" }, "No tokens issued yet."),
  );
}

async function renderTokens(b24: B24Frame, issued?: { jti: string; block: string }): Promise<void> {
  replace("tokens", tokensSection(b24, await appApi<TokenRow[]>(b24, "tokens"), issued));
  await b24.parent.fitWindow().catch(() => undefined);
}

async function bindingsSection(b24: B24Frame): Promise<HTMLElement> {
  const [events, placements] = await Promise.all([
    portalCall<Array<{ event: string; handler: string; offline?: number }>>(b24, "event.get"),
    portalCall<Array<{ placement: string; handler: string; title?: string }>>(b24, "placement.get"),
  ]);
  const rows: Child[][] = REQUIRED_EVENTS.map((name) => {
    const b = events.filter((e) => e.event.toUpperCase() === name);
    return [
      name,
      b.length ? b.map((x) => (x.offline ? "offline (event.offline.get)" : x.handler)).join(", ") : "—",
      b.length ? pill("bound", "ok") : pill("missing: reinstall the app", "bad"),
    ];
  });
  for (const e of events.filter((x) => !REQUIRED_EVENTS.includes(x.event.toUpperCase()))) rows.push([e.event, e.offline ? "offline" : e.handler, pill("bound", "ok")]);
  const callCard = placements.filter((p) => p.placement === "CALL_CARD");
  rows.push([
    "placement CALL_CARD",
    callCard.map((p) => p.handler).join(", ") || "—",
    callCard.length ? pill("bound", "ok") : pill("missing: reinstall the app as an administrator", "bad"),
  ]);
  const tbl = table(["Event / placement", "Handler", "State"], rows, { id: "bindings-table" });
  tbl.querySelectorAll("tbody tr").forEach((tr, i) => tr.setAttribute("data-name", String(rows[i]![0])));
  return section("bindings", "Event binding", tbl);
}

async function usersSection(b24: B24Frame): Promise<HTMLElement> {
  const users = await portalList<PortalUser>(b24, "user.get", { FILTER: { ACTIVE: true } });
  let seen: SeenExtension[] = [];
  let note: Child = null;
  try {
    const r = await appApi<{ fromCalls: number; extensions: SeenExtension[] }>(b24, "extensions");
    seen = r.extensions;
    note = h("p", { class: "muted" }, `Extensions seen by the connector on its last ${r.fromCalls} calls.`);
  } catch (err) {
    note = h("p", { class: "warn" }, `PBX extensions unavailable: ${(err as Error).message}`);
  }
  const rows = matchUsersAndExtensions(users, seen);
  const tbl = table(
    ["Bitrix24 user", "Inner number", "PBX extension", "Calls seen", "State"],
    rows.map((r) => [r.userName ? `${r.userName} (${r.userId})` : "—", r.inner || "—", r.extension || "—", r.calls, pill(MATCH_TEXT[r.state].text, MATCH_TEXT[r.state].tone)]),
    { id: "users-table" },
  );
  tbl.querySelectorAll("tbody tr").forEach((tr, i) => tr.setAttribute("data-state", rows[i]!.state));
  return section("users", "Users ↔ extensions", note, tbl);
}

export async function renderAdminPage(b24: B24Frame, root: HTMLElement): Promise<void> {
  let overview: Overview;
  try {
    overview = await appApi<Overview>(b24, "overview");
  } catch (err) {
    if (err instanceof ApiError && (err.status === 403 || err.status === 401)) {
      root.replaceChildren(
        h("h1", {}, "Asterisk connector"),
        h("p", { id: "denied", class: "bad" }, `Access denied: ${err.message}`),
        h("p", { class: "muted" }, "Only portal administrators manage the connector."),
      );
      root.classList.remove("muted");
      return;
    }
    throw err;
  }
  const me = await appApi<{ name: string }>(b24, "me");
  await b24.parent.setTitle("Asterisk connector").catch(() => undefined);
  root.classList.remove("muted");
  root.replaceChildren(
    h("h1", {}, "Asterisk connector ", h("small", { class: "muted" }, `· ${me.name}`)),
    statusSection(overview),
    section("tokens", "Connector tokens", h("p", { class: "muted" }, "Loading…")),
    section("bindings", "Event binding", h("p", { class: "muted" }, "Loading…")),
    section("users", "Users ↔ extensions", h("p", { class: "muted" }, "Loading…")),
  );
  const parts: Array<Promise<void>> = [renderTokens(b24), bindingsSection(b24).then((el) => replace("bindings", el)), usersSection(b24).then((el) => replace("users", el))];
  const results = await Promise.allSettled(parts);
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => (r.reason as Error).message);
  if (failed.length) showError(failed.join("\n"));
  await b24.parent.fitWindow().catch(() => undefined);
  document.body.dataset.ready = "true";
}
