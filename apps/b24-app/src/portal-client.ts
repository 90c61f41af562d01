/**
 * REST calls to the portal with the held credential. `raw` returns the portal's answer as it was
 * (status, body bytes) so the gateway can pass it through; an `expired_token` is renewed once and
 * the call repeated. `call` is the convenience form for the app's own calls (event.bind, …).
 */
import { PortalCallError, PortalNoAnswerError, PortalUnavailableError } from "./errors.js";
import type { PortalCredential } from "./portal-credential.js";

export interface RawAnswer {
  status: number;
  body: Buffer;
  contentType: string;
  /** Parsed body when it is JSON. */
  json: Record<string, unknown> | undefined;
}

const EXPIRED = new Set(["expired_token", "invalid_token"]);
/** Connection errors raised before any byte of the request could reach the portal. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/** The system error code under fetch's "fetch failed" (undici puts it in `cause`). */
function connectCode(e: unknown): string | undefined {
  for (let x: unknown = e, depth = 0; x && typeof x === "object" && depth < 4; x = (x as { cause?: unknown }).cause, depth++) {
    const code = (x as { code?: unknown }).code;
    if (typeof code === "string" && code !== "") return code;
  }
  return undefined;
}

export class PortalClient {
  constructor(
    readonly credential: PortalCredential,
    private readonly timeoutMs = 120_000,
  ) {}

  async raw(method: string, params: Record<string, unknown>): Promise<RawAnswer> {
    let prepared = await this.credential.prepare(method);
    for (let renewed = false; ; renewed = true) {
      const answer = await this.post(prepared.url, { ...params, ...prepared.body });
      const code = typeof answer.json?.error === "string" ? answer.json.error : "";
      if (answer.status === 401 && EXPIRED.has(code) && this.credential.renew && !renewed) {
        await this.credential.renew(prepared);
        prepared = await this.credential.prepare(method);
        continue;
      }
      return answer;
    }
  }

  async call<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const a = await this.raw(method, params);
    if (a.status >= 200 && a.status < 300 && a.json && "result" in a.json) return a.json.result as T;
    throw new PortalCallError(method, a.status, String(a.json?.error ?? ""), String(a.json?.error_description ?? a.body.toString("utf8").slice(0, 200)));
  }

  private async post(url: string, body: Record<string, unknown>): Promise<RawAnswer> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const code = connectCode(e);
      if (code !== undefined && NOT_SENT.has(code)) throw new PortalUnavailableError("PORTAL_UNREACHABLE", `portal unreachable: ${(e as Error).message} (${code})`);
      // Timed out or cut after the request went out: the portal may have run it.
      throw new PortalNoAnswerError("PORTAL_NO_ANSWER", `no answer from the portal: ${(e as Error).message}${code ? ` (${code})` : ""}`);
    }
    let buf: Buffer;
    try {
      buf = Buffer.from(await res.arrayBuffer());
    } catch (e) {
      throw new PortalNoAnswerError("PORTAL_NO_ANSWER", `the portal's answer was cut: ${(e as Error).message}`);
    }
    const contentType = res.headers.get("content-type") ?? "application/octet-stream";
    let json: Record<string, unknown> | undefined;
    if (/json/i.test(contentType) || buf[0] === 0x7b) {
      try {
        json = JSON.parse(buf.toString("utf8")) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
    }
    return { status: res.status, body: buf, contentType, json };
  }
}
