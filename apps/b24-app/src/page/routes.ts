/**
 * The app's pages in the portal's frame. Bitrix24 POSTs the frame to the handler (DOMAIN, PROTOCOL,
 * LANG, APP_SID in the query; AUTH_ID, REFRESH_ID, member_id, PLACEMENT, PLACEMENT_OPTIONS in the
 * body); we answer the same small HTML shell for both places and let the script take everything from
 * b24jssdk's frame (getInitData), never from the POST: the admin API checks the token itself.
 *
 *   GET|POST /b24/app                    placement DEFAULT: status, tokens, bindings, users ↔ extensions
 *   GET|POST /b24/placement/call-card    placement CALL_CARD: the PBX tab of the call card
 *   GET      /b24/assets/page.js         the script (b24jssdk bundled in; no CDN)
 */
import { Router, type Response } from "express";
import type { Logger } from "pino";
import { pageScript } from "./assets.js";

export const PAGE_ASSET_PATH = "/b24/assets/page.js";

function shell(title: string, scriptSrc: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
  :root { --line: #e3e6ea; --muted: #6a737f; --ok: #0a7d27; --warn: #a15c00; --bad: #b3261e; --accent: #2067b0; }
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; padding: 1rem 1.25rem; color: #1d2129; background: #fff; }
  h1 { font-size: 1.15rem; margin: 0 0 .75rem; }
  h2 { font-size: 1rem; margin: 1.25rem 0 .5rem; }
  .muted { color: var(--muted); }
  .card { border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; margin-bottom: .75rem; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: .75rem; }
  .pill { display: inline-block; border-radius: 999px; padding: 0 .55rem; font-size: 12px; font-weight: 600; }
  .ok { color: var(--ok); } .warn { color: var(--warn); } .bad { color: var(--bad); }
  .pill.ok { background: #e3f5e8; } .pill.warn { background: #fff1dc; } .pill.bad { background: #fde7e6; }
  table { border-collapse: collapse; width: 100%; }
  th, td { border-bottom: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
  th { background: #f4f6f8; font-weight: 600; }
  code, .mono { font-family: ui-monospace, monospace; font-size: 12px; }
  button { font: inherit; padding: .3rem .8rem; border-radius: 4px; border: 1px solid #b8c2cc; background: #f4f6f8; cursor: pointer; }
  button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
  input { font: inherit; padding: .3rem .5rem; border: 1px solid #b8c2cc; border-radius: 4px; }
  textarea { width: 100%; font: 12px ui-monospace, monospace; }
  #error { color: var(--bad); white-space: pre-wrap; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
  dt { color: var(--muted); }
  dd { margin: 0; }
</style>
</head>
<body>
<div id="app" class="muted">Loading…</div>
<div id="error" role="alert"></div>
<script type="module" src="${scriptSrc}"></script>
</body>
</html>
`;
}

export function createPageRouter(d: { appPagePath: string; callCardPath: string; logger: Logger }): Router {
  const router = Router();
  const relative = (from: string) => `${"../".repeat(from.split("/").length - 2)}${PAGE_ASSET_PATH.slice(1)}`;
  const send = (res: Response, title: string, from: string) => {
    res
      .set("Cache-Control", "no-store")
      .type("html")
      .send(shell(title, relative(from)));
  };
  router.all(d.appPagePath, (_req, res) => send(res, "Asterisk connector", d.appPagePath));
  router.all(d.callCardPath, (_req, res) => send(res, "PBX", d.callCardPath));
  router.get(PAGE_ASSET_PATH, async (_req, res) => {
    try {
      res
        .set("Cache-Control", "no-cache")
        .type("text/javascript")
        .send(await pageScript());
    } catch (err) {
      d.logger.error({ err: (err as Error).message }, "page script unavailable");
      res
        .status(500)
        .type("text/plain")
        .send((err as Error).message);
    }
  });
  return router;
}
