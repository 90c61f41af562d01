import { clear, fmt, h } from "./dom.js";
import { renderOverview } from "./overview.js";
import { renderCalls, renderCall } from "./calls.js";
import { renderSettings } from "./settings.js";
import { renderFigures } from "./figures.js";

// Hash routes: #/overview, #/figures?period=…, #/calls?number=…, #/calls/<callKey>, #/settings
const main = document.getElementById("main");
let stop = () => {};

function parseRoute() {
  const hash = location.hash.replace(/^#/, "") || "/overview";
  const [path, query = ""] = hash.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { parts, query: new URLSearchParams(query) };
}

async function route() {
  stop();
  stop = () => {};
  const { parts, query } = parseRoute();
  const page = parts[0] ?? "overview";
  for (const a of document.querySelectorAll("[data-nav]")) a.classList.toggle("active", a.dataset.nav === page);
  clear(main);
  try {
    if (page === "calls" && parts[1]) stop = (await renderCall(main, parts[1])) ?? stop;
    else if (page === "calls") stop = (await renderCalls(main, query)) ?? stop;
    else if (page === "figures") stop = (await renderFigures(main, query)) ?? stop;
    else if (page === "settings") stop = (await renderSettings(main)) ?? stop;
    else stop = (await renderOverview(main, query)) ?? stop;
  } catch (err) {
    clear(main, h("div.notice.err", `This page could not be shown: ${err.message}`));
  }
}

/** The header's health pill and "updated" line, set by the overview's poll (and once at start). */
export function setHeader(health, version, at) {
  const pill = document.getElementById("health");
  pill.className = `pill ${health}`;
  pill.textContent = health === "Ok" ? "All OK" : health;
  if (version) document.getElementById("version").textContent = `v${version}`;
  if (at) document.getElementById("updated").textContent = `updated ${fmt.clock(at)}`;
}

// The header on every page (the overview keeps it fresh while it is open).
fetch("/status")
  .then((r) => r.json())
  .then((s) => setHeader(s.app_status, s.version))
  .catch(() => undefined);

window.addEventListener("hashchange", route);
if (!location.hash) history.replaceState(null, "", "#/overview");
route();
