/**
 * A bare REST caller for tests and scripts (no retries, no limiter): JSON, form-encoded (PHP brackets) or GET,
 * optionally from another loopback source address (127.0.0.x) to exercise the per-IP bucket.
 */
import { request } from "node:http";
import { buildPhpQuery } from "./php-query.js";

export interface RestReply {
  status: number;
  /** Parsed JSON, or undefined when the body is not JSON (gateway pages). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the parsed JSON freely
  body: any;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface RestCallOptions {
  encoding?: "json" | "form" | "get";
  localAddress?: string;
  timeoutMs?: number;
}

/** POST `${base}${method}` (base ends with "/"), e.g. restCall(emu.webhookUrl, "user.get", { FILTER: { ACTIVE: true } }). */
export function restCall(base: string, method: string, params: Record<string, unknown> = {}, opts: RestCallOptions = {}): Promise<RestReply> {
  const encoding = opts.encoding ?? "json";
  const url = new URL(method, base);
  let payload: string | undefined;
  const headers: Record<string, string> = {};
  if (encoding === "get") {
    const q = buildPhpQuery(params);
    if (q) url.search = url.search ? `${url.search}&${q}` : `?${q}`;
  } else if (encoding === "form") {
    payload = buildPhpQuery(params);
    headers["Content-Type"] = "application/x-www-form-urlencoded";
  } else {
    payload = JSON.stringify(params);
    headers["Content-Type"] = "application/json";
  }
  if (payload !== undefined) headers["Content-Length"] = String(Buffer.byteLength(payload));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: encoding === "get" ? "GET" : "POST",
        headers,
        agent: false,
        ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body, text, headers: res.headers });
        });
      },
    );
    req.on("error", reject);
    if (opts.timeoutMs) req.setTimeout(opts.timeoutMs, () => req.destroy(new Error("timeout")));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
