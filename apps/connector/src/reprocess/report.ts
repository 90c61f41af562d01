/**
 * The verification report of a run: counts (checked, already fine, fixed, still wrong), the short
 * list of calls a person should look at (each with its reason), the calls put right, and the error
 * rates — as JSON, CSV and a self-contained HTML page (no external assets).
 */
import type { ErrorRates } from "../journal/error-stats.js";
import type { CallCheck, RunCounts, RunSummary } from "./types.js";

export interface RunReport {
  run: RunSummary;
  counts: RunCounts;
  /** Calls still not right: the list to check by hand. */
  toCheck: CallCheck[];
  /** Calls this run put right. */
  fixed: CallCheck[];
  /** Calls rightly not in the CRM (internal, black list…), for the record. */
  notForCrm: CallCheck[];
  /** Lists were cut at this many calls (counts are complete). */
  truncated: boolean;
  rates?: ErrorRates;
}

export function buildReport(run: RunSummary, counts: RunCounts, listed: CallCheck[], max: number, rates?: ErrorRates): RunReport {
  const toCheck = listed.filter((c) => c.verdict === "still_wrong");
  const fixed = listed.filter((c) => c.verdict === "fixed");
  const notForCrm = listed.filter((c) => c.verdict === "fine");
  const cut = <T>(xs: T[]) => xs.slice(0, max);
  return {
    run,
    counts,
    toCheck: cut(toCheck),
    fixed: cut(fixed),
    notForCrm: cut(notForCrm),
    truncated: toCheck.length > max || fixed.length > max || notForCrm.length > max,
    ...(rates ? { rates } : {}),
  };
}

function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? "" : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const CSV_COLUMNS = [
  "verdict",
  "callKey",
  "startedAt",
  "direction",
  "clientNumber",
  "problems",
  "actions",
  "reason",
  "crmCallId",
  "responsibleUserId",
  "cdrDisagreements",
] as const;

export function reportCsv(r: RunReport): string {
  const rows = [...r.toCheck, ...r.fixed, ...r.notForCrm].map((c) =>
    CSV_COLUMNS.map((k) => csvCell(k === "problems" || k === "actions" || k === "cdrDisagreements" ? (c[k] ?? []).join("; ") : c[k])).join(","),
  );
  return [CSV_COLUMNS.join(","), ...rows].join("\r\n") + "\r\n";
}

function esc(s: unknown): string {
  return String(s ?? "").replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
}

function pct(x: number | null | undefined): string {
  return x === null || x === undefined ? "—" : `${(x * 100).toFixed(2)} %`;
}

function table(title: string, calls: CallCheck[], note: string): string {
  if (calls.length === 0) return `<h2>${esc(title)}</h2><p class="muted">${esc(note)}</p>`;
  const rows = calls
    .map(
      (c) =>
        `<tr><td><code>${esc(c.callKey)}</code></td><td>${esc(c.startedAt.replace("T", " ").slice(0, 19))}</td><td>${esc(c.direction)}</td><td>${esc(c.clientNumber)}</td><td>${esc(c.problems.join("; "))}</td><td>${esc(c.actions.join("; "))}</td><td>${esc(c.reason ?? "")}</td></tr>`,
    )
    .join("\n");
  return `<h2>${esc(title)} (${calls.length})</h2>
<table><thead><tr><th>Call</th><th>Started (UTC)</th><th>Direction</th><th>Client</th><th>Found</th><th>Done</th><th>Reason</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
}

export function reportHtml(r: RunReport): string {
  const p = r.run.params;
  const c = r.counts;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Reprocessing ${esc(r.run.id)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
.counts{display:flex;gap:12px;flex-wrap:wrap}.counts div{border:1px solid #ccc;border-radius:6px;padding:8px 14px;min-width:110px}
.counts b{display:block;font-size:22px}.bad b{color:#b00020}.good b{color:#1b7f3b}
table{border-collapse:collapse;width:100%;margin-top:8px}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f4f4f4}.muted{color:#777}code{font-size:12px}
</style></head><body>
<h1>Reprocessing run ${esc(r.run.id)}</h1>
<p>Status <b id="status">${esc(r.run.status)}</b> · period ${esc(p.from)} → ${esc(p.to)} · only ${esc(p.only)}${p.dryRun ? " · <b>dry run</b> (nothing changed)" : ""} · started by ${esc(p.trigger)} at ${esc(r.run.startedAt)}${r.run.finishedAt ? `, finished ${esc(r.run.finishedAt)}` : ""}${r.run.error ? ` · error: ${esc(r.run.error)}` : ""}</p>
<div class="counts">
<div><b id="checked">${c.checked}</b>checked</div>
<div class="good"><b id="alreadyFine">${c.alreadyFine}</b>already fine</div>
<div class="good"><b id="fixed">${c.fixed}</b>fixed</div>
<div class="bad"><b id="stillWrong">${c.stillWrong}</b>still wrong</div>
</div>
${r.rates ? `<p>Live error rate (calls not right on the first live pass): <b>${pct(r.rates.liveErrorRate)}</b> · after reprocessing: <b>${pct(r.rates.afterReprocessErrorRate)}</b> (${r.rates.calls} calls, ${esc(r.rates.from)} → ${esc(r.rates.to)})</p>` : ""}
${table("To check by hand", r.toCheck, "Nothing: every call of the period is right in the CRM.")}
${table("Fixed by this run", r.fixed, "Nothing needed fixing.")}
${table("Rightly not in the CRM", r.notForCrm, "None.")}
${r.truncated ? `<p class="muted">Lists are cut; the counts cover every call. The CSV has the same lists.</p>` : ""}
</body></html>
`;
}
