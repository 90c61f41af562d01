/**
 * HTTP transport: one POST with a JSON body, a per-request timeout, and classification of every
 * failure into the error classes of errors.ts. Nothing here retries, limits or authenticates —
 * those are separate layers (retry-policy.ts, limiter.ts, auth/*) wrapped around it.
 *
 * node:http is used directly (not fetch) so the timeout is exactly ours: undici's fetch has its own
 * 300 s header/body timeouts, and a slow on-premise box must be allowed to take longer if configured.
 */
import http from "node:http";
import https from "node:https";
import { B24Error, B24ServerError, B24TimeoutError, B24TransportError, classifyB24Error } from "./errors.js";

/** The `time` object of a Bitrix24 answer (§5.4); `operating*` only when the portal's limiter is on. */
export interface B24Time {
  start?: number;
  finish?: number;
  duration?: number;
  processing?: number;
  operating?: number;
  operating_reset_at?: number;
  [k: string]: unknown;
}

export interface B24Envelope {
  result: unknown;
  time?: B24Time;
  total?: number;
  next?: number;
}

export interface TransportRequest {
  url: string;
  body: unknown;
  headers?: Record<string, string>;
  /** Per-request timeout (whole exchange). */
  timeoutMs: number;
  /** For error messages only. */
  method?: string;
}

export interface Transport {
  post(req: TransportRequest): Promise<B24Envelope>;
  close(): void;
}

/** Connection errors raised before any byte of the request could reach the server. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

export class HttpTransport implements Transport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(opts: { maxSockets?: number } = {}) {
    const maxSockets = opts.maxSockets ?? 64;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets });
  }

  post(req: TransportRequest): Promise<B24Envelope> {
    const url = new URL(req.url);
    const payload = Buffer.from(JSON.stringify(req.body ?? {}));
    const lib = url.protocol === "https:" ? https : http;
    const agent = url.protocol === "https:" ? this.httpsAgent : this.httpAgent;
    return new Promise<B24Envelope>((resolve, reject) => {
      let settled = false;
      const done = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const r = lib.request(
        url,
        {
          method: "POST",
          agent,
          headers: { "content-type": "application/json", accept: "application/json", "content-length": payload.length, ...req.headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", (e) => done(() => reject(networkError(e, req.method, true))));
          res.on("end", () =>
            done(() => {
              try {
                resolve(parseAnswer(res.statusCode ?? 0, Buffer.concat(chunks).toString("utf8"), req.method));
              } catch (e) {
                reject(e);
              }
            }),
          );
        },
      );
      const timer = setTimeout(() => {
        done(() => reject(new B24TimeoutError({ code: "TIMEOUT", description: `no answer within ${req.timeoutMs} ms`, method: req.method, maybeExecuted: true })));
        r.destroy();
      }, req.timeoutMs);
      r.on("error", (e) => done(() => reject(networkError(e, req.method, !NOT_SENT.has((e as NodeJS.ErrnoException).code ?? "")))));
      r.end(payload);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function networkError(e: Error, method: string | undefined, maybeExecuted: boolean): B24TransportError {
  const code = (e as NodeJS.ErrnoException).code ?? "NETWORK_ERROR";
  return new B24TransportError({ code, description: e.message, method, maybeExecuted, cause: e });
}

/** Turns status + body into an envelope or a classified error. Exported for unit tests. */
export function parseAnswer(status: number, text: string, method?: string): B24Envelope {
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (body && typeof body === "object" && "error" in body && (body as { error: unknown }).error !== undefined) {
    const b = body as { error: unknown; error_description?: unknown };
    const code = typeof b.error === "string" ? b.error : String(b.error);
    const description = typeof b.error_description === "string" ? b.error_description : "";
    throw classifyB24Error(code, description, status, method);
  }
  if (status >= 200 && status < 300 && body && typeof body === "object" && "result" in body) return body as B24Envelope;
  if (status >= 500 || status === 0 || (status >= 200 && status < 300)) {
    // 5xx without a Bitrix24 body (a proxy's page, a crash) or a 2xx we cannot read: the server may have
    // run it. A bare 503 too: a proxy in front of a box answers 503 when the box was slow, after it ran.
    throw new B24ServerError({ code: `HTTP_${status}`, description: text.slice(0, 200) || `HTTP ${status}`, status, method, maybeExecuted: true });
  }
  throw classifyB24Error(`HTTP_${status}`, text.slice(0, 200), status, method) as B24Error;
}
