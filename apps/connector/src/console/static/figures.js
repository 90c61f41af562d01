import { api, clear, fmt, h } from "./dom.js";
import { hbars, legend, stackedBars } from "./charts.js";

// Queue and manager figures (GET /api/figures): #/figures?period=today|7d|custom&from=YYYY-MM-DD&to=YYYY-MM-DD
const CALL_SERIES = [
  { name: "answered", color: "#1f9d55" },
  { name: "missed by all", color: "#d23c3c" },
  { name: "ended in IVR", color: "#b8c2cc" },
];
const QUEUE_SERIES = [
  { name: "answered", color: "#1f9d55" },
  { name: "abandoned", color: "#d23c3c" },
  { name: "other", color: "#b8c2cc" },
];
const MANAGER_SERIES = [
  { name: "answered", color: "#1f9d55" },
  { name: "missed", color: "#e0a030" },
];
const SL_SERIES = [{ name: "service level", color: "#2f6fde" }];

function periodQuery(q) {
  const p = new URLSearchParams();
  const period = q.get("period") ?? (q.get("from") ? "custom" : "today");
  p.set("period", period);
  if (period === "custom") {
    if (q.get("from")) p.set("from", q.get("from"));
    if (q.get("to")) p.set("to", q.get("to"));
  }
  return p;
}

function table(id, headers, rows, empty) {
  if (!rows.length) return h("div.empty", { id }, empty);
  return h(
    "table",
    { id },
    h(
      "thead",
      h(
        "tr",
        headers.map((t) => h("th", t)),
      ),
    ),
    h("tbody", rows),
  );
}

const num = (v) => h("td.num", String(v));
const secs = (v) => h("td.num", fmt.duration(Math.round(v)));

function controls(q) {
  const period = q.get("period") ?? "today";
  const go = (params) => (location.hash = `#/figures?${new URLSearchParams(params)}`);
  const from = h("input", { type: "date", name: "from", value: q.get("from") ?? "" });
  const to = h("input", { type: "date", name: "to", value: q.get("to") ?? "" });
  const csv = (table) => `/api/figures.csv?table=${table}&${q}`;
  return h(
    "div.card.toolbar",
    { id: "figures-period" },
    h("button", { class: period === "today" ? undefined : "secondary", onclick: () => go({ period: "today" }) }, "Today"),
    h("button", { class: period === "7d" ? undefined : "secondary", onclick: () => go({ period: "7d" }) }, "7 days"),
    h(
      "form.inline",
      {
        onsubmit: (e) => {
          e.preventDefault();
          go({ period: "custom", from: from.value, ...(to.value ? { to: to.value } : {}) });
        },
      },
      "From ",
      from,
      " to ",
      to,
      h("button", { type: "submit", class: period === "custom" ? undefined : "secondary" }, "Show"),
    ),
    h(
      "span.right",
      "CSV: ",
      h("a", { href: csv("queues"), download: "" }, "queues"),
      " · ",
      h("a", { href: csv("managers"), download: "" }, "managers"),
      " · ",
      h("a", { href: csv("missed"), download: "" }, "missed calls"),
    ),
  );
}

export async function renderFigures(main, query) {
  const q = periodQuery(query);
  main.append(h("h1", "Queues and managers"), controls(q));
  const res = await api(`/api/figures?${q}`);
  if (!res.ok) {
    main.append(h("div.notice.err", `The figures could not be read: ${res.body?.message ?? res.status}`));
    return;
  }
  const f = res.body;
  const zoneFmt = (opts) => new Intl.DateTimeFormat(undefined, { timeZone: f.timeZone, ...opts });
  const day = zoneFmt({ year: "numeric", month: "2-digit", day: "2-digit" });
  const label = f.bucket === "hour" ? (ms) => zoneFmt({ hour: "2-digit" }).format(ms) : (ms) => zoneFmt({ month: "2-digit", day: "2-digit" }).format(ms);
  const t = f.totals;
  main.append(
    h("p.muted.small", `${day.format(f.fromMs)} – ${day.format(f.toMs)} (${f.timeZone}) · service level: answered within ${f.serviceLevelSec} s of joining the queue`),
    h(
      "div.grid.cols-5",
      h("div.card.kpi", { id: "kpi-inbound" }, h("div.label", "Inbound calls"), h("div.value", String(t.inbound)), h("div.sub", `${t.outbound} outbound · ${t.internal} internal`)),
      h(
        "div.card.kpi",
        { id: "kpi-answered" },
        h("div.label", "Answered"),
        h("div.value", String(t.answeredInbound)),
        h("div.sub", t.inbound ? fmt.pct(t.answeredInbound / t.inbound) : "—"),
      ),
      h(
        "div.card.kpi",
        { id: "kpi-missed", class: t.missedByAll ? "alert" : undefined },
        h("div.label", "Missed by everybody"),
        h("div.value", String(t.missedByAll)),
        h("div.sub", "rang managers, nobody answered"),
      ),
      h("div.card.kpi", { id: "kpi-ivr" }, h("div.label", "Ended in the IVR"), h("div.value", String(t.ivr)), h("div.sub", "never rang a manager")),
    ),
    h(
      "div.section.card.chart",
      { id: "figures-calls-chart" },
      h("h2", `Inbound calls per ${f.bucket}`),
      stackedBars({
        buckets: f.series.map((b) => ({
          label: label(b.start),
          values: { answered: b.answered, "missed by all": b.missedByAll, "ended in IVR": b.inbound - b.answered - b.missedByAll },
        })),
        series: CALL_SERIES,
        labelEvery: f.series.length > 12 ? Math.ceil(f.series.length / 12) : 1,
        width: 1100,
        height: 200,
        id: "figures-calls",
      }),
      legend(CALL_SERIES),
    ),
    h(
      "div.section.card",
      { id: "figures-queues" },
      h("h2", "Queues"),
      table(
        "queues-table",
        ["Queue", "Offered", "Answered", "Abandoned", "Other", `Within ${f.serviceLevelSec} s`, "Service level", "Avg wait", "p90 wait", "Avg wait before abandoning", "Avg talk"],
        f.queues.map((r) =>
          h(
            "tr",
            { "data-queue": r.queue },
            h("td", r.queue),
            num(r.offered),
            num(r.answered),
            num(r.abandoned),
            num(r.other),
            num(r.answeredWithin),
            h("td.num", fmt.pct(r.serviceLevel)),
            secs(r.avgWaitSec),
            secs(r.p90WaitSec),
            secs(r.avgAbandonWaitSec),
            secs(r.avgTalkSec),
          ),
        ),
        "No queue call in this period.",
      ),
      f.queues.length
        ? h(
            "div.grid.cols-2",
            h(
              "div",
              h("h3", "Outcome per queue"),
              hbars({
                rows: f.queues.map((r) => ({ label: r.queue, values: { answered: r.answered, abandoned: r.abandoned, other: r.other } })),
                series: QUEUE_SERIES,
                id: "queues-outcome",
              }),
              legend(QUEUE_SERIES),
            ),
            h(
              "div",
              h("h3", "Service level"),
              hbars({ rows: f.queues.map((r) => ({ label: r.queue, values: { "service level": r.serviceLevel } })), series: SL_SERIES, max: 1, format: fmt.pct, id: "queues-sl" }),
            ),
          )
        : null,
    ),
    h(
      "div.section.card",
      { id: "figures-managers" },
      h("h2", "Managers"),
      table(
        "managers-table",
        ["Extension", "Bitrix24 user", "Rung", "Answered", "Missed", "Placed", "Talk time"],
        f.managers.map((m) =>
          h(
            "tr",
            { "data-extension": m.extension },
            h("td.mono", m.extension),
            h("td", m.userName ?? "—"),
            num(m.rung),
            num(m.answered),
            num(m.missed),
            num(m.placed),
            secs(m.talkSec),
          ),
        ),
        "No manager took or missed a call in this period.",
      ),
      f.managers.length
        ? h(
            "div",
            h("h3", "Answered and missed per manager"),
            hbars({
              rows: f.managers.map((m) => ({ label: m.userName ? `${m.extension} ${m.userName}` : m.extension, values: { answered: m.answered, missed: m.missed } })),
              series: MANAGER_SERIES,
              id: "managers-chart",
            }),
            legend(MANAGER_SERIES),
          )
        : null,
    ),
    h(
      "div.section.card",
      { id: "figures-missed" },
      h("h2", `Missed by everybody (${t.missedByAll})`),
      table(
        "missed-table",
        ["When", "Client", "Line", "Queues", "Rang"],
        f.missedByAll.map((c) =>
          h(
            "tr",
            { "data-call": c.key },
            h("td", h("a", { href: `#/calls/${encodeURIComponent(c.key)}` }, fmt.time(c.startedAt))),
            h("td.mono", c.client || "—"),
            h("td.mono", c.line || "—"),
            h("td", c.queues.join(", ") || "—"),
            h("td.mono", c.rang.join(", ")),
          ),
        ),
        "No call was missed by everybody in this period.",
      ),
    ),
  );
}
