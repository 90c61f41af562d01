import type { B24Envelope, B24Port, B24Uploader } from "../../src/crm/port.js";

/**
 * A minimal B24Port over an incoming-webhook URL (`https://portal/rest/<user>/<code>/`): one HTTP
 * POST with a JSON body per call, no batching, no rate limiting. For tests, the demo and one-off
 * tools; the connector's pipeline uses the batched CRM client instead.
 */

/** A REST call that came back with `{error, error_description}` or a non-JSON / non-2xx answer. */
export class B24CallError extends Error {
  override readonly name = "B24CallError";
  constructor(
    readonly method: string,
    readonly httpStatus: number,
    readonly code: string,
    readonly description: string,
  ) {
    super(`${method}: ${code || "error"} ${description} (HTTP ${httpStatus})`);
  }
}

export interface WebhookPortOptions {
  /** Per-request deadline (default 30 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export function createWebhookPort(webhookUrl: string, options: WebhookPortOptions = {}): B24Port & B24Uploader {
  const base = webhookUrl.endsWith("/") ? webhookUrl : `${webhookUrl}/`;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function send(label: string, url: string, init: RequestInit): Promise<Record<string, unknown>> {
    const response = await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new B24CallError(label, response.status, "NOT_JSON", text.slice(0, 200));
    }
    const obj = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
    if (!response.ok || "error" in obj) {
      throw new B24CallError(label, response.status, String(obj.error ?? ""), String(obj.error_description ?? ""));
    }
    return obj;
  }

  async function callRaw<T>(method: string, params: Record<string, unknown>): Promise<B24Envelope<T>> {
    const body = await send(method, `${base}${method}.json`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(params),
    });
    const envelope: B24Envelope<T> = { result: body.result as T };
    if (typeof body.next === "number") envelope.next = body.next;
    if (typeof body.total === "number") envelope.total = body.total;
    return envelope;
  }

  return {
    callRaw,
    async call<T>(method: string, params: Record<string, unknown>): Promise<T> {
      return (await callRaw<T>(method, params)).result;
    },
    async upload<T>(url: string, fieldName: string, filename: string, content: Uint8Array): Promise<T> {
      const form = new FormData();
      form.append(fieldName, new Blob([content]), filename);
      const body = await send("upload", url, { method: "POST", body: form });
      return ("result" in body ? body.result : body) as T;
    },
  };
}
