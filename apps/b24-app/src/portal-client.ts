/**
 * REST calls to the portal with the held credential. `raw` returns the portal's answer as it was
 * (status, body bytes) so the gateway can pass it through; an `expired_token` is renewed once and
 * the call repeated. `call` is the convenience form for the app's own calls (event.bind, …).
 */
import { PortalCallError, PortalUnavailableError } from "./errors.js";
import type { PortalCredential } from "./portal-credential.js";

export interface RawAnswer {
  status: number;
  body: Buffer;
  contentType: string;
  /** Parsed body when it is JSON. */
  json: Record<string, unknown> | undefined;
}

const EXPIRED = new Set(["expired_token", "invalid_token"]);

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
      throw new PortalUnavailableError("PORTAL_UNREACHABLE", `portal unreachable: ${(e as Error).message}`);
    }
    const buf = Buffer.from(await res.arrayBuffer());
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
