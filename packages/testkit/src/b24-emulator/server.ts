/**
 * HTTP front of the emulated portal on 127.0.0.1: `/rest/…` (webhook and OAuth forms, fault injection, the leaky
 * bucket, dispatch), `/oauth/token/` (the OAuth server), `/rest/upload.json` (record uploads) and `/_emulator/…`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { AuthInfo } from "./auth.js";
import { executeMethod, lookup, normaliseMethod, type CallOutcome } from "./dispatch.js";
import { RestError, methodNotFound, queryLimitExceeded } from "./errors.js";
import { readBody, requestData } from "./http-body.js";
import type { AfterFault } from "./faults.js";
import type { Portal } from "./portal.js";
import type { RequestLogEntry } from "./types.js";

export type InspectionHandler = (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) => Promise<void>;
export type UploadHandler = (portal: Portal, params: Record<string, unknown>, files: Map<string, { filename: string; content: Buffer; contentType: string }>) => unknown;

const GATEWAY_503 =
  "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n" +
  "<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function resetSocket(socket: Socket): void {
  const sock = socket as Socket & { resetAndDestroy?: () => void };
  if (typeof sock.resetAndDestroy === "function") sock.resetAndDestroy();
  else sock.destroy();
}

/** Lower-case method names of a batch's `cmd` (`{"a": "user.get?ID=1"}` or a list), for per-method faults. */
function batchCommandMethods(cmd: unknown): string[] {
  const values = Array.isArray(cmd) ? cmd : cmd && typeof cmd === "object" ? Object.values(cmd) : [];
  return values.filter((v): v is string => typeof v === "string").map((v) => normaliseMethod(v.split("?")[0] ?? ""));
}

function sourceIpOf(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
}

export class EmulatorServer {
  readonly http: Server;
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();

  constructor(
    private readonly portal: Portal,
    private readonly inspection: InspectionHandler,
    private readonly upload: UploadHandler,
  ) {
    this.http = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: "INTERNAL_SERVER_ERROR", error_description: String(e) });
        else res.destroy();
      });
    });
    this.http.keepAliveTimeout = 5000;
    this.http.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(port, "127.0.0.1", () => {
        const addr = this.http.address();
        resolve(typeof addr === "object" && addr ? addr.port : port);
      });
    });
  }

  close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    return new Promise((resolve) => {
      this.http.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    if (path === "/_emulator" || path.startsWith("/_emulator/")) {
      const body = await readBody(req);
      return this.inspection(req, res, url, body);
    }
    if (path === "/oauth/token" || path === "/oauth/token/") {
      const body = await readBody(req);
      const { params } = requestData(req.headers["content-type"], url.search, body);
      const out = this.portal.auth.tokenEndpoint(params);
      return sendJson(res, out.status, out.body);
    }
    if (path.startsWith("/rest/")) {
      // Browsers call REST from app frames on another origin (b24jssdk posts JSON): the portal allows any origin.
      res.setHeader("Access-Control-Allow-Origin", "*");
      if (req.method === "OPTIONS") {
        res.writeHead(204, {
          "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
          "Access-Control-Allow-Headers": String(req.headers["access-control-request-headers"] ?? "content-type"),
          "Access-Control-Max-Age": "600",
        });
        res.end();
        return;
      }
      return this.rest(req, res, url);
    }
    sendJson(res, 404, { error: "NOT_FOUND", error_description: "Not found" });
  }

  private async rest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const portal = this.portal;
    const id = portal.nextRequestId();
    const sourceIp = sourceIpOf(req);
    const at = portal.now();
    const body = await readBody(req);
    const segments = url.pathname.split("/").filter((s) => s !== "");
    const webhook = segments.length === 4 ? { userId: segments[1] as string, code: segments[2] as string } : null;
    const rawMethod = segments.length === 4 ? (segments[3] as string) : segments.length === 2 ? (segments[1] as string) : "";
    const method = normaliseMethod(rawMethod);
    const authKind: "webhook" | "oauth" = webhook ? "webhook" : "oauth";

    const { params, files } = requestData(req.headers["content-type"], url.search, body);

    // 1. faults (in front of the portal: balancer / network)
    const latency = portal.faults.latencyMs;
    if (latency > 0) {
      portal.counters.faults.latency++;
      await new Promise((r) => setTimeout(r, latency));
    }
    const { fault, after, outage } = portal.faults.decide(method === "batch" ? [method, ...batchCommandMethods(params["cmd"])] : [method]);
    if (fault) {
      const f = portal.counters.faults;
      if (outage) f.outage++;
      const entry = { id, at, method, viaBatch: false, sourceIp, auth: authKind, fault: outage ? `outage-${fault}` : fault };
      if (fault === "reset") {
        f.reset++;
        portal.record({ ...entry, status: "reset" });
        resetSocket(req.socket);
        return;
      }
      if (fault === "hang") {
        f.hang++;
        portal.record({ ...entry, status: "hang" });
        this.hanging.add(res);
        res.on("close", () => this.hanging.delete(res));
        return;
      }
      if (fault === "503") {
        f.s503++;
        portal.record({ ...entry, status: 503, error: "GATEWAY_503" });
        res.writeHead(503, { "Content-Type": "text/html", "Content-Length": Buffer.byteLength(GATEWAY_503) });
        res.end(GATEWAY_503);
        return;
      }
      f.s500++;
      portal.record({ ...entry, status: 500, error: "INTERNAL_SERVER_ERROR" });
      return sendJson(res, 500, { error: "INTERNAL_SERVER_ERROR", error_description: "Internal server error" });
    }

    const fail = (e: RestError, auth: "webhook" | "oauth" | null = authKind): void => {
      portal.record({ id, at, method, viaBatch: false, status: e.status, error: e.code || e.description, sourceIp, auth });
      sendJson(res, e.status, e.body());
    };

    // 2. request-intensity limit: one unit per HTTP request, per portal + source IP
    if (!portal.bucket.take(`${portal.domain}|${sourceIp}`)) return fail(queryLimitExceeded());

    // record uploads (uploadUrl flow of attachRecord)
    if (segments.length === 2 && method === "upload" && typeof params["token"] === "string") {
      try {
        const result = await this.upload(portal, params, files);
        portal.record({ id, at, method, viaBatch: false, status: 200, sourceIp, auth: authKind });
        return sendJson(res, 200, { result, time: this.plainTime(at) });
      } catch (e) {
        if (e instanceof RestError) return fail(e);
        throw e;
      }
    }

    // 3. method lookup before credentials (404 before 401)
    const def = lookup(portal, method);
    if (!def) return fail(methodNotFound());

    // 4. credentials
    let auth: AuthInfo;
    try {
      auth = webhook ? portal.auth.webhook(webhook.userId, webhook.code) : portal.auth.oauth(params["auth"]);
    } catch (e) {
      if (e instanceof RestError) return fail(e);
      throw e;
    }
    if (!webhook) delete params["auth"];

    // 5. run
    const perBatch = method === "batch" && portal.operating.batchAccounting === "batch";
    const outcome: CallOutcome = await executeMethod(portal, method, def, auth, params, {
      viaBatch: false,
      requestId: id,
      sourceIp,
      files,
      accountOperating: method !== "batch" || perBatch,
    });
    // the portal ran it; the answer may still be lost on the way back
    if (after) return this.loseAnswer(req, res, after, { id, at, method, viaBatch: false, sourceIp, auth: auth.kind, fault: after });
    if (!outcome.ok) return fail(outcome.error, auth.kind);
    portal.record({ id, at, method, viaBatch: false, status: 200, sourceIp, auth: auth.kind });
    const out: Record<string, unknown> = { result: outcome.result };
    if (outcome.next !== undefined) out["next"] = outcome.next;
    if (outcome.total !== undefined) out["total"] = outcome.total;
    out["time"] = outcome.time;
    const headers: Record<string, string> = { "X-Bitrix-Rest-Time": String(outcome.time.duration) };
    if (auth.kind === "oauth" && portal.auth.clientId) headers["X-Bitrix-Rest-Application"] = portal.auth.clientId;
    sendJson(res, 200, out, headers);
  }

  /** An answer lost after the portal ran the request: a proxy's bare 503, no answer at all, or a reset. */
  private loseAnswer(req: IncomingMessage, res: ServerResponse, after: AfterFault, entry: Omit<RequestLogEntry, "status">): void {
    const f = this.portal.counters.faults;
    if (after === "503-after") {
      f.s503After++;
      this.portal.record({ ...entry, status: 503, error: "GATEWAY_503" });
      res.writeHead(503, { "Content-Type": "text/html", "Content-Length": Buffer.byteLength(GATEWAY_503) });
      res.end(GATEWAY_503);
    } else if (after === "hang-after") {
      f.hangAfter++;
      this.portal.record({ ...entry, status: "hang" });
      this.hanging.add(res);
      res.on("close", () => this.hanging.delete(res));
    } else {
      f.resetAfter++;
      this.portal.record({ ...entry, status: "reset" });
      resetSocket(req.socket);
    }
  }

  private plainTime(startMs: number): Record<string, unknown> {
    const finish = Math.max(this.portal.now(), startMs);
    return {
      start: Math.floor(startMs / 1000),
      finish: finish / 1000,
      duration: (finish - startMs) / 1000,
      processing: 0,
      date_start: this.portal.date(startMs),
      date_finish: this.portal.date(finish),
    };
  }
}
