import { api, clear, h } from "./dom.js";

/**
 * The reprocessing API (POST /api/reprocess → 202 {id}; GET /api/reprocess/:id for progress;
 * DELETE to cancel; /report.html). A connector without it answers 404: we say so plainly.
 */
export function reprocessPanel() {
  const box = h("div.reprocess", { id: "reprocess" });
  let timer;
  const stop = () => clearTimeout(timer);

  async function start(request) {
    stop();
    clear(box, h("div.notice", "Starting reprocessing…"));
    const res = await api("/api/reprocess", { method: "POST", body: JSON.stringify({ only: "all", ...request }) });
    if (res.status === 404) {
      clear(
        box,
        h(
          "div.notice.warn",
          { "data-reprocess": "unavailable" },
          "Reprocessing is not available in this connector (no /api/reprocess). Update the connector to reprocess calls from here.",
        ),
      );
      return;
    }
    if (!res.ok || !res.body?.id) {
      clear(box, h("div.notice.err", { "data-reprocess": "refused" }, `Reprocessing refused: ${res.status} ${res.body?.message ?? res.body?.error ?? JSON.stringify(res.body)}`));
      return;
    }
    follow(res.body.id);
  }

  function follow(id) {
    const poll = async () => {
      const res = await api(`/api/reprocess/${encodeURIComponent(id)}`);
      if (!res.ok) {
        clear(box, h("div.notice.err", `Reprocessing ${id}: ${res.status}`));
        return;
      }
      const job = res.body;
      const total = job.progress?.total ?? 0;
      const done = job.progress?.done ?? 0;
      const pct = total ? Math.round((done * 100) / total) : job.status === "done" ? 100 : 0;
      const finished = ["done", "cancelled", "failed"].includes(job.status);
      const counts = job.counts;
      clear(
        box,
        h(
          "div.card",
          { "data-reprocess": job.status, "data-job": id },
          h(
            "div.actions",
            h("b", `Reprocessing ${job.status}`),
            h("div.progress", h("div", { style: `width:${pct}%` })),
            h("span.mono", `${done} / ${total}`),
            !finished && job.progress?.etaSeconds != null ? h("span.muted.small", `about ${Math.ceil(job.progress.etaSeconds)} s left`) : null,
            !finished
              ? h("button.danger", { onclick: async () => void (await api(`/api/reprocess/${encodeURIComponent(id)}`, { method: "DELETE" })) }, "Cancel")
              : h("a", { href: `/api/reprocess/${encodeURIComponent(id)}/report.html`, target: "_blank" }, "Open the report"),
          ),
          counts
            ? h(
                "p.small",
                { "data-counts": JSON.stringify(counts) },
                `checked ${counts.checked} · already fine ${counts.alreadyFine} · fixed ${counts.fixed} · still wrong ${counts.stillWrong}`,
              )
            : null,
          job.error ? h("div.notice.err", job.error) : null,
        ),
      );
      if (!finished) timer = setTimeout(poll, 1000);
    };
    void poll();
  }

  return { element: box, start, stop };
}
