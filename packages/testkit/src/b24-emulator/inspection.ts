/**
 * `/_emulator/…`: the inspection API used by tests and the demo (GET calls / requests / stats / state / files,
 * POST seed / reset / faults / limits / operating-limit / events / click-to-call / tokens) and the web page.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { B24Emulator } from "./emulator.js";
import { renderPage } from "./page.js";
import { framePage } from "./portal-frame-route.js";
import { sendJson } from "./server.js";

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}

export function inspectionHandler(emu: () => B24Emulator) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<void> => {
    const e = emu();
    const route = url.pathname.replace(/^\/_emulator/, "").replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";
    if (method === "GET") {
      if (route === "/") {
        const html = renderPage(e.portal);
        res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Length": Buffer.byteLength(html) });
        res.end(html);
        return;
      }
      if (route === "/portal/app" || route === "/portal/call-card") return framePage(e, route, url, res);
      if (route === "/calls") return sendJson(res, 200, e.calls());
      if (route === "/requests") return sendJson(res, 200, e.requests());
      if (route === "/stats") return sendJson(res, 200, e.stats());
      if (route === "/state") return sendJson(res, 200, e.snapshot());
      if (route === "/users") return sendJson(res, 200, e.users());
      if (route === "/events") return sendJson(res, 200, e.eventDeliveries());
      const file = /^\/files\/(\d+)$/.exec(route);
      if (file) {
        const f = e.file(Number(file[1]));
        if (!f) return sendJson(res, 404, { error: "NOT_FOUND", error_description: "File not found" });
        res.writeHead(200, {
          "Content-Type": f.contentType,
          "Content-Length": f.content.length,
          "Content-Disposition": `inline; filename="${f.name.replace(/"/g, "")}"`,
        });
        res.end(f.content);
        return;
      }
      return sendJson(res, 404, { error: "NOT_FOUND", error_description: `No inspection route ${route}` });
    }
    if (method !== "POST") return sendJson(res, 405, { error: "METHOD_NOT_ALLOWED", error_description: method });
    const input = parseJson(body);
    if (input === undefined) return sendJson(res, 400, { error: "BAD_JSON", error_description: "Body must be JSON" });
    const obj = (input ?? {}) as Record<string, unknown>;
    try {
      switch (route) {
        case "/seed":
          e.seed(obj as Parameters<B24Emulator["seed"]>[0]);
          return sendJson(res, 200, { ok: true });
        case "/reset":
          e.reset();
          return sendJson(res, 200, { ok: true });
        case "/faults":
          e.setFaults(obj);
          return sendJson(res, 200, { ok: true });
        case "/limits":
          e.setLimits(input === false || obj["enabled"] === false ? false : (obj as { burst: number; drainPerSec: number }));
          return sendJson(res, 200, { ok: true });
        case "/operating-limit":
          e.setOperatingLimit(input === false || obj["enabled"] === false ? false : (obj as { limitSec: number; windowSec: number }));
          return sendJson(res, 200, { ok: true });
        case "/events":
          return sendJson(res, 200, await e.fireEvent(String(obj["event"]) as "ONEXTERNALCALLSTART", (obj["data"] ?? {}) as Record<string, unknown>));
        case "/click-to-call":
          return sendJson(res, 200, { CALL_ID: await e.startClickToCall(obj as Parameters<B24Emulator["startClickToCall"]>[0]) });
        case "/oauth/tokens":
          return sendJson(res, 200, e.issueOAuthTokens(typeof obj["userId"] === "number" ? obj["userId"] : undefined));
        case "/oauth/expire":
          e.expireAccessTokens();
          return sendJson(res, 200, { ok: true });
        default:
          return sendJson(res, 404, { error: "NOT_FOUND", error_description: `No inspection route ${route}` });
      }
    } catch (err) {
      return sendJson(res, 400, { error: "EMULATOR_ERROR", error_description: (err as Error).message });
    }
  };
}
