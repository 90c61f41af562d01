import { api, clear, fmt, h, pill } from "./dom.js";
import { colorOf, legend, stackedBars } from "./charts.js";
import { setHeader } from "./app.js";

const CALL_SERIES = [
  { name: "answered", color: "#1f9d55" },
  { name: "missed", color: "#e0a030" },
  { name: "other", color: "#b8c2cc" },
];

const hourLabel = (ms) => `${String(new Date(ms).getHours()).padStart(2, "0")}h`;
const dayLabel = (ms) => new Date(ms).toLocaleDateString(undefined, { month: "2-digit", day: "2-digit" });

/**
 * Error buckets: the reprocessing API's /api/errors/stats when the connector has it, otherwise the
 * journal's hourly error statistics (in the overview document).
 */
const RANK = { Ok: 0, Warning: 1, Error: 2 };
const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** The last `count` periods (UTC-aligned), empty ones included, so every chart has the same slots. */
function slots(buckets, count, step) {
  const last = Math.floor(Date.now() / step) * step;
  const byStart = new Map(buckets.map((b) => [Math.floor(b.start / step) * step, b]));
  return Array.from({ length: count }, (_, i) => {
    const start = last - (count - 1 - i) * step;
    return { total: 0, byType: {}, ...byStart.get(start), start };
  });
}

let statsAbsent = false;
async function errorStats(doc) {
  if (statsAbsent) return { source: "journal", hourly: slots(doc.errors.hourly, 24, HOUR), daily: slots(doc.errors.daily, 7, DAY) };
  const [hour, day] = await Promise.all([api("/api/errors/stats?period=hour"), api("/api/errors/stats?period=day")]);
  if (hour.ok && day.ok && Array.isArray(hour.body?.buckets) && Array.isArray(day.body?.buckets)) {
    const start = (b) => (typeof b.start === "number" ? b.start : Date.parse(b.start));
    return {
      source: "/api/errors/stats",
      hourly: slots(
        hour.body.buckets.map((b) => ({ ...b, start: start(b) })),
        24,
        HOUR,
      ),
      daily: slots(
        day.body.buckets.map((b) => ({ ...b, start: start(b) })),
        7,
        DAY,
      ),
      liveErrorRate: hour.body.liveErrorRate,
      afterReprocessErrorRate: hour.body.afterReprocessErrorRate,
    };
  }
  if (hour.status === 404) statsAbsent = true;
  return { source: "journal", hourly: slots(doc.errors.hourly, 24, HOUR), daily: slots(doc.errors.daily, 7, DAY) };
}

function errorChart(buckets, label, id, labelEvery) {
  const types = [...new Set(buckets.flatMap((b) => Object.keys(b.byType ?? {})))].sort();
  const series = types.map((t) => ({ name: t, color: colorOf(t) }));
  const total = buckets.reduce((n, b) => n + (b.total ?? 0), 0);
  return h(
    "div.card.chart",
    { "data-total": total, id },
    h("h2", `${label} `, h("span.muted.small", `${total} error${total === 1 ? "" : "s"}`)),
    stackedBars({ buckets: buckets.map((b) => ({ label: id === "errors-7d" ? dayLabel(b.start) : hourLabel(b.start), values: b.byType ?? {} })), series, labelEvery, id }),
    series.length ? legend(series) : h("div.empty", "No errors — nothing went wrong in this period."),
  );
}

function kpi(label, value, sub, id, alert = false) {
  return h(
    "div.card.kpi",
    { id, class: alert ? "alert" : undefined },
    h("div.label", label),
    h("div.value", { "data-value": String(value) }, value),
    sub ? h("div.sub", sub) : null,
  );
}

/** Where calls no CRM user rang or answered went: the fallback user, and how many were not registered. */
function unownedSub(u) {
  const fb = u.fallbackUser;
  const where = !fb
    ? "no fallback user: not registered"
    : fb.source === "default_user"
      ? `landed on the default responsible, user ${fb.id}`
      : `landed on the credential's user ${fb.id ?? "(not known yet)"}${fb.name ? ` (${fb.name})` : ""}`;
  return u.notLanded > 0 ? `${where} · ${u.notLanded} NOT registered` : where;
}

function healthCard(c) {
  return h(
    "div.card.health",
    { class: c.health, "data-component": c.id, "data-health": c.health },
    h("div.head", h("span.title", c.title), pill(c.health)),
    h("div.summary", c.summary),
    c.problems.length
      ? h(
          "ul.problems",
          c.problems.map((p) => h("li", p)),
        )
      : null,
    c.fix ? h("div.fix", h("b", "How to fix: "), c.fix) : null,
  );
}

function liveTable(live, now) {
  if (!live.calls.length) return h("div.empty", "No call right now.");
  return h(
    "table",
    h(
      "thead",
      h(
        "tr",
        ["Since", "Direction", "Client", "Line", "Employees"].map((t) => h("th", t)),
      ),
    ),
    h(
      "tbody",
      live.calls.map((c) =>
        h(
          "tr",
          { "data-live-call": c.key },
          h("td", fmt.ago(c.since, now)),
          h("td", c.direction),
          h("td.mono", c.client || "—"),
          h("td.mono", c.line || "—"),
          h(
            "td",
            c.legs.length
              ? c.legs.map((l) => h("span.pill", { class: l.state === "talking" ? "Ok" : "in_progress", style: "margin-right:4px" }, `${l.ext} ${l.state}`))
              : h("span.muted", "IVR / queue"),
          ),
        ),
      ),
    ),
  );
}

export async function renderOverview(main, query) {
  const every = Math.max(1, Number(query.get("refresh") ?? 3)) * 1000;
  const root = h("div");
  main.append(h("h1", h("span.live-dot"), "Overview"), root);
  let timer;
  let stopped = false;
  const tick = async () => {
    const res = await api("/api/console/overview");
    if (stopped) return;
    if (!res.ok) {
      clear(root, h("div.notice.err", `The connector did not answer the overview: ${res.status} ${JSON.stringify(res.body)}`));
    } else {
      const doc = res.body;
      const errors = await errorStats(doc);
      if (stopped) return;
      setHeader(doc.health, doc.version, doc.at);
      const cph = doc.callsPerHour;
      const rate = errors.liveErrorRate ?? doc.errorRate.rate;
      clear(
        root,
        h(
          "div.grid.cols-5",
          kpi("Live calls", doc.live.count, "followed by the tracker now", "kpi-live"),
          kpi("Calls (24 h)", doc.totals24h.calls, `${doc.totals24h.delivered} in Bitrix24 · ${doc.totals24h.inProgress} in progress`, "kpi-calls"),
          kpi(
            "Waiting for Bitrix24",
            doc.queue.callsWaiting,
            doc.queue.batches ? `${doc.queue.batches.waiting + doc.queue.batches.delayed} batches queued · ${doc.queue.batches.active} sending` : "queue not readable",
            "kpi-queue",
          ),
          kpi("Batch rate", doc.batchRatePerMinute ?? "—", "batches per minute to Bitrix24", "kpi-batches"),
          kpi(
            "Error rate (1 h)",
            fmt.pct(rate),
            errors.liveErrorRate != null
              ? `live, from the reprocessing API${errors.afterReprocessErrorRate != null ? ` · ${fmt.pct(errors.afterReprocessErrorRate)} after reprocessing` : ""}`
              : `${doc.errorRate.failed} failed of ${doc.errorRate.finished} finished · ${doc.errorRate.errors} errors`,
            "kpi-errors",
            rate > 0,
          ),
          kpi("Calls nobody owned", doc.unowned.onFallback, unownedSub(doc.unowned), "kpi-unowned", doc.unowned.notLanded > 0),
        ),
        h("div.section.grid.cols-4.board", [...doc.components].sort((a, b) => RANK[b.health] - RANK[a.health]).map(healthCard)),
        h(
          "div.section.grid.cols-2",
          h(
            "div.card.chart",
            { id: "calls-per-hour", "data-total": cph.reduce((n, b) => n + b.answered + b.missed + b.other, 0) },
            h("h2", "Calls per hour ", h("span.muted.small", "answered / missed (last 24 h)")),
            stackedBars({ buckets: cph.map((b) => ({ label: hourLabel(b.start), values: b })), series: CALL_SERIES, labelEvery: 3, id: "calls-per-hour" }),
            legend(CALL_SERIES),
          ),
          h("div.card", { id: "live-calls" }, h("h2", `Live calls (${doc.live.count})`), liveTable(doc.live, doc.at)),
        ),
        h(
          "div.section.grid.cols-2",
          errorChart(errors.hourly, "Errors by type — last 24 h", "errors-24h", 3),
          errorChart(errors.daily, "Errors by type — last 7 days", "errors-7d", 1),
        ),
        h("p.muted.small", `Error statistics from ${errors.source}. Figures refresh every ${every / 1000} s. Uptime ${fmt.ago(Date.now() - doc.uptimeSeconds * 1000)}.`),
      );
    }
    if (!stopped) timer = setTimeout(tick, every);
  };
  await tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
