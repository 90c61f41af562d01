/** GET `/_emulator/portal/app?user=ID[&lang=xx]` and `/_emulator/portal/call-card?callId=…&user=ID`: the framing pages. */
import type { ServerResponse } from "node:http";
import type { B24Emulator } from "./emulator.js";
import { sendJson } from "./server.js";

export function framePage(e: B24Emulator, route: string, url: URL, res: ServerResponse): void {
  const userId = Number(url.searchParams.get("user") ?? "1");
  const lang = url.searchParams.get("lang") ?? "en";
  const callId = url.searchParams.get("callId") ?? undefined;
  let html: string;
  try {
    html = e.framePage(route === "/portal/app" ? "app" : "call-card", { userId, lang, ...(callId ? { callId } : {}) });
  } catch (err) {
    return sendJson(res, 404, { error: "NOT_FOUND", error_description: (err as Error).message });
  }
  res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Length": Buffer.byteLength(html) });
  res.end(html);
}
