/**
 * The read-only web page at `/_emulator/`: a table of calls (CALL_ID, direction, phone, line, responsible user,
 * who saw the card, status code, duration, record). Plain HTML and a small script polling `/_emulator/calls`.
 */
export function renderPage(portal: string): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Bitrix24 emulator — ${esc(portal)}</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2129; }
  h1 { font-size: 1.2rem; margin: 0 0 .3rem; }
  #meta { color: #666; margin-bottom: 1rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { border-bottom: 1px solid #e3e6ea; padding: .35rem .5rem; text-align: left; vertical-align: top; }
  th { background: #f4f6f8; font-weight: 600; }
  td.id { font-family: ui-monospace, monospace; font-size: 12px; }
  .active { color: #0a7d27; font-weight: 600; }
  .missed { color: #b3261e; }
  #empty { color: #888; padding: 1rem 0; }
</style>
</head>
<body>
<h1>Bitrix24 REST emulator — <span id="portal">${esc(portal)}</span></h1>
<div id="meta">loading…</div>
<table id="calls">
  <thead><tr>
    <th>CALL_ID</th><th>Direction</th><th>Phone</th><th>Line</th><th>Responsible</th>
    <th>Card shown to</th><th>Status</th><th>Duration</th><th>Record</th>
  </tr></thead>
  <tbody></tbody>
</table>
<div id="empty" hidden>No calls yet.</div>
<script>
"use strict";
const body = document.querySelector("#calls tbody");
const meta = document.getElementById("meta");
const empty = document.getElementById("empty");
function cell(tr, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}
let names = {};
function who(id) {
  const n = names[id];
  return n ? n + " (" + id + ")" : String(id);
}
function render(calls, stats) {
  body.textContent = "";
  empty.hidden = calls.length > 0;
  for (const c of calls.slice().reverse()) {
    const tr = document.createElement("tr");
    tr.dataset.callId = c.CALL_ID;
    cell(tr, c.CALL_ID, "id");
    cell(tr, c.direction + (c.clickToCall ? " (click-to-call)" : ""));
    cell(tr, c.PHONE_NUMBER);
    cell(tr, c.LINE_NUMBER || "");
    const responsible = c.finish ? c.finish.result.PORTAL_USER_ID : c.USER_ID;
    cell(tr, who(responsible));
    cell(tr, [...new Set(c.shows.map((s) => s.USER_ID))].map(who).join(", "));
    if (c.finish) {
      const code = String(c.finish.result.CALL_FAILED_CODE);
      cell(tr, code, code === "200" ? "" : "missed");
      cell(tr, c.finish.result.CALL_DURATION + " s");
    } else {
      cell(tr, "active", "active");
      cell(tr, "");
    }
    const rec = cell(tr, "");
    const last = c.records[c.records.length - 1];
    if (last) {
      const a = document.createElement("a");
      a.href = last.downloadUrl;
      a.textContent = last.name;
      rec.appendChild(a);
    }
    body.appendChild(tr);
  }
  meta.textContent = calls.length + " calls, " + stats.activeCalls + " active, " + stats.requests +
    " REST requests (" + stats.limitErrors + " limited)";
}
async function poll() {
  try {
    const [calls, stats, users] = await Promise.all([
      fetch("/_emulator/calls").then((r) => r.json()),
      fetch("/_emulator/stats").then((r) => r.json()),
      fetch("/_emulator/users").then((r) => r.json()),
    ]);
    names = {};
    for (const u of users) names[u.ID] = (u.NAME + " " + u.LAST_NAME).trim();
    render(calls, stats);
  } catch (e) {
    meta.textContent = "emulator not reachable: " + e;
  }
}
poll();
setInterval(poll, 1000);
</script>
</body>
</html>
`;
}
