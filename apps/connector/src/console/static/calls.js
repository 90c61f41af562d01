import { api, clear, fmt, h, pill } from "./dom.js";
import { reprocessPanel } from "./reprocess.js";

const STATUSES = ["", "in_progress", "delivered", "failed", "skipped", "cancelled"];
const FIELDS = ["number", "manager", "status", "from", "to"];

/** datetime-local value ↔ ISO with the browser's zone. */
const toIso = (v) => (v ? new Date(v).toISOString() : "");

function callRow(c, selected, names) {
  const box = h("input", { type: "checkbox", "data-select": c.callKey, checked: selected.has(c.callKey) });
  box.addEventListener("change", () => (box.checked ? selected.add(c.callKey) : selected.delete(c.callKey)));
  return h(
    "tr",
    { "data-call": c.callKey, "data-status": c.status },
    h("td", h("label.check", box, h("a", { href: `#/calls/${encodeURIComponent(c.callKey)}` }, fmt.time(c.firstSeenAt)))),
    h("td", directionLabel(c)),
    h("td.mono", c.clientNumber ?? "—"),
    h("td.mono", c.lineNumber ?? "—"),
    h("td", c.responsibleUserId ? (names[c.responsibleUserId] ?? `user ${c.responsibleUserId}`) : "—"),
    h("td", pill(c.status)),
    h("td.mono", c.statusCode ?? ""),
    h("td.num", c.durationSec !== undefined ? fmt.duration(c.durationSec) : ""),
    h("td.small", c.reason ?? c.lastErrorType ?? ""),
  );
}

export async function renderCalls(main, query) {
  const selected = new Set();
  const panel = reprocessPanel();
  const inputs = {
    number: h("input", { name: "number", placeholder: "client or line number", value: query.get("number") ?? "" }),
    manager: h("input", { name: "manager", placeholder: "user ID, extension or name", value: query.get("manager") ?? "" }),
    status: h(
      "select",
      { name: "status" },
      STATUSES.map((s) => h("option", { value: s, selected: query.get("status") === s }, s || "any")),
    ),
    from: h("input", { name: "from", type: "datetime-local", value: query.get("from") ?? "" }),
    to: h("input", { name: "to", type: "datetime-local", value: query.get("to") ?? "" }),
  };
  const form = h(
    "form.filters.card",
    { id: "call-filters" },
    h("label.f", "Number", inputs.number),
    h("label.f", "Manager", inputs.manager),
    h("label.f", "Status", inputs.status),
    h("label.f", "From", inputs.from),
    h("label.f", "To", inputs.to),
    h("button", { type: "submit" }, "Search"),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const f of FIELDS) if (inputs[f].value) q.set(f, inputs[f].value);
    location.hash = `#/calls?${q}`;
  });
  const results = h("div.card.section", { id: "calls-table" });
  main.append(h("h1", "Calls journal"), form, h("div.section", panel.element), results);

  const q = new URLSearchParams({ limit: "200" });
  for (const f of ["number", "manager", "status"]) if (query.get(f)) q.set(f, query.get(f));
  if (query.get("from")) q.set("from", toIso(query.get("from")));
  if (query.get("to")) q.set("to", toIso(query.get("to")));
  const [res, namesRes] = await Promise.all([api(`/api/calls?${q}`), api("/api/console/user-names")]);
  const names = namesRes.ok ? namesRes.body : {};
  if (!res.ok) {
    clear(results, h("div.notice.err", `Search refused: ${res.body?.message ?? res.body?.error ?? res.status}`));
    return panel.stop;
  }
  const calls = res.body;
  const reprocessThese = () => {
    const chosen = calls.filter((c) => selected.size === 0 || selected.has(c.callKey));
    if (!chosen.length) return;
    const times = chosen.map((c) => c.firstSeenAt);
    void panel.start({ from: new Date(Math.min(...times)).toISOString(), to: new Date(Math.max(...times) + 1000).toISOString(), callKeys: chosen.map((c) => c.callKey) });
  };
  clear(
    results,
    h(
      "div.actions",
      { style: "justify-content:space-between;margin-bottom:10px" },
      h("span", { id: "calls-count" }, `${calls.length} call${calls.length === 1 ? "" : "s"}`, calls.length >= 200 ? " (the newest 200; narrow the search)" : ""),
      h("button.secondary", { id: "reprocess-these", disabled: calls.length === 0, onclick: reprocessThese }, "Reprocess these (checked, or all listed)"),
    ),
    calls.length
      ? h(
          "table",
          h(
            "thead",
            h(
              "tr",
              ["First seen", "Direction", "Client", "Line", "Responsible", "Status", "Code", "Duration", "Reason"].map((t) => h("th", t)),
            ),
          ),
          h(
            "tbody",
            calls.map((c) => callRow(c, selected, names)),
          ),
        )
      : h("div.empty", "No call matches."),
  );
  return panel.stop;
}

function entryItem(e) {
  const tag = e.kind === "request" ? "request" : e.kind === "result" ? "result" : e.kind === "error" ? "error" : "note";
  const title = e.method ?? e.error?.type ?? "";
  const text = e.error ? e.error.message : (e.text ?? "");
  const body = e.params !== undefined ? e.params : e.result;
  return h(
    "li",
    { class: tag, "data-entry": e.kind, "data-method": e.method ?? "" },
    h("span.tag", { class: tag }, e.kind === "result" ? "answer" : e.kind),
    h("b", title),
    text ? h("span", ` ${text}`) : null,
    h("span.muted.small", `  ${fmt.clock(e.at)}`),
    body !== undefined ? h("details", h("summary.small.muted", e.kind === "request" ? "parameters" : "answer"), h("pre.mono", JSON.stringify(body, null, 2))) : null,
  );
}

function stageTitle(st) {
  const parts = [st.name.replaceAll("_", " ")];
  if (st.extension) parts.push(`— extension ${st.extension}${st.role ? ` (${st.role})` : ""}`);
  if (st.endReason) parts.push(`· ${st.endReason}${st.talkSeconds ? `, talked ${fmt.duration(st.talkSeconds)}` : ""}`);
  if (st.result !== undefined) parts.push(`· result ${st.result}`);
  return parts.join(" ");
}

export async function renderCall(main, key) {
  const [res, namesRes] = await Promise.all([api(`/api/console/calls/${encodeURIComponent(key)}`), api("/api/console/user-names")]);
  const names = namesRes.ok ? namesRes.body : {};
  const userName = (id) => (id ? `${names[id] ?? "user"} (ID ${id})` : undefined);
  main.append(h("p", h("a", { href: "#/calls" }, "← Calls journal")));
  if (!res.ok) {
    main.append(h("div.notice.err", res.body?.message ?? res.body?.error ?? `status ${res.status}`));
    return;
  }
  const t = res.body;
  const s = t.summary;
  const panel = reprocessPanel();
  main.append(
    h("h1", `Call ${s.clientNumber ?? ""} `, pill(s.status), h("span.muted.small", `  ${s.callKey}`)),
    h(
      "div.grid.cols-2",
      h(
        "div.card",
        h("h2", "Summary"),
        h(
          "dl.kv",
          [
            ["First seen", fmt.time(s.firstSeenAt)],
            ["Direction", s.direction ? directionLabel(s) : undefined],
            ["Client", s.clientNumber],
            ["Line", s.lineNumber],
            ["Bitrix24 CALL_ID", s.crmCallId],
            ["CRM entity", s.entityType ? `${s.entityType} ${s.entityId}` : undefined],
            ["Responsible", userName(s.responsibleUserId)],
            ["Status code", s.statusCode],
            ["Duration", s.durationSec !== undefined ? fmt.duration(s.durationSec) : undefined],
            ["Reason", s.reason],
            ["Reprocessed", s.reprocessCount],
          ]
            .filter(([, v]) => v !== undefined && v !== "")
            .flatMap(([k, v]) => [h("dt", k), h("dd", v)]),
        ),
      ),
      h(
        "div.card",
        h("h2", "Recording"),
        t.recording
          ? h(
              "div",
              h("div.mono.small", t.recording.file),
              t.recording.url ? h("audio", { controls: true, preload: "none", src: t.recording.url, style: "width:100%;margin-top:8px" }) : h("p.muted.small", t.recording.note),
            )
          : h("div.empty", "No recording for this call."),
        h("h2", { style: "margin-top:16px" }, "Reprocess"),
        h(
          "div.actions",
          h(
            "button.secondary",
            {
              id: "reprocess-this",
              onclick: () => panel.start({ from: new Date(s.firstSeenAt).toISOString(), to: new Date(s.firstSeenAt + 1000).toISOString(), callKeys: [s.callKey] }),
            },
            "Reprocess this call",
          ),
        ),
        h("div.section", panel.element),
      ),
    ),
    h(
      "div.card.section",
      h("h2", "Timeline ", h("span.muted.small", "AMI stages → hooks → Bitrix24 requests and answers → outcome, in the order the connector handled them")),
      t.clock?.large
        ? h(
            "p.notice.warn.small",
            { id: "clock-skew" },
            `The PBX clock is ${Math.round(Math.abs(t.clock.pbxSkewMs) / 1000)} s ${t.clock.pbxSkewMs > 0 ? "ahead of" : "behind"} the connector's: PBX times are shown beside the connector's.`,
          )
        : null,
      h(
        "ol.timeline",
        { id: "timeline" },
        t.steps.map((step) =>
          h(
            "li",
            { "data-stage": step.stage?.name ?? "" },
            step.stage
              ? h("div", h("span.tag.ami", "AMI"), h("span.stage", stageTitle(step.stage)), h("span.muted.small.pbx-time", pbxTime(step.stage, t.clock)))
              : h("div.muted", "before the first stage"),
            step.entries.length ? h("ul.entries", step.entries.map(entryItem)) : null,
          ),
        ),
        h(
          "li.outcome",
          { class: t.outcome.status, "data-outcome": t.outcome.status },
          h(
            "div",
            h("span.tag", "outcome"),
            pill(t.outcome.status),
            t.outcome.statusCode ? ` STATUS_CODE ${t.outcome.statusCode}` : "",
            t.outcome.responsibleUserId ? ` · responsible: ${userName(t.outcome.responsibleUserId)}` : "",
          ),
          t.outcome.reason ? h("div.small", t.outcome.reason) : null,
        ),
      ),
    ),
  );
  return panel.stop;
}

/** A stage's PBX time, and the same moment on the connector's clock when the skew is notable. */
function pbxTime(stage, clock) {
  const pbx = `  PBX time ${fmt.clock(stage.at)}`;
  return clock?.large && stage.localAt ? `${pbx} (connector ${fmt.clock(stage.localAt)})` : pbx;
}

/** The call's direction, with a click-to-call (started from the CRM) marked as such. */
function directionLabel(c) {
  const dir = c.direction ?? "—";
  return c.clickToCall === "yes" ? h("span", dir, " ", h("span.tag.c2c", { title: "started from the CRM" }, "click-to-call")) : dir;
}
