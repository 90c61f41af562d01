import type { ChainCommand } from "./batcher.js";
import type { B24Client, ChainResult } from "./client.js";
import type { B24Envelope, B24Port, B24Uploader } from "./port.js";
import { parseAnswer } from "./transport.js";

/**
 * The connector's batched Bitrix24 client seen through the small ports the stage parts and the
 * hooks use. Every call still goes through the shared queue, batches and rate limit.
 */
export interface CrmGateway extends B24Port, B24Uploader {
  /** Commands that travel in one batch (`$result[name]` references); `id` makes it idempotent. */
  chain(commands: ChainCommand[], id?: string): Promise<ChainResult>;
}

export function clientGateway(client: B24Client, uploader: B24Uploader): CrmGateway {
  return {
    call: <T>(method: string, params: Record<string, unknown>) => client.call<T>(method, params),
    async callRaw<T>(method: string, params: Record<string, unknown>): Promise<B24Envelope<T>> {
      const r = await client.chain([{ name: "c", method, params }]);
      const o = r.c!;
      if (!o.ok) throw o.error;
      return { result: o.result as T, ...(o.next !== undefined ? { next: o.next } : {}), ...(o.total !== undefined ? { total: o.total } : {}) };
    },
    chain: (commands, id) => client.chain(commands, id ? { id } : {}),
    // The upload URL is the portal's REST: the same request bucket as the batches.
    upload: (url, fieldName, filename, content) => client.outsideBatch(() => uploader.upload(url, fieldName, filename, content)),
  };
}

/** Plain multipart upload to an absolute URL Bitrix24 handed out (attachRecord's uploadUrl). */
export function fetchUploader(timeoutMs = 120_000): B24Uploader {
  return {
    async upload<T>(url: string, fieldName: string, filename: string, content: Uint8Array): Promise<T> {
      const form = new FormData();
      form.append(fieldName, new Blob([content]), filename);
      const res = await fetch(url, { method: "POST", body: form, signal: AbortSignal.timeout(timeoutMs) });
      // Classified as every REST answer is (503 QUERY_LIMIT_EXCEEDED, bare 5xx "maybe executed", …).
      return parseAnswer(res.status, await res.text(), "upload").result as T;
    },
  };
}
