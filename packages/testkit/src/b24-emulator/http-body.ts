/**
 * Request parameters the way `CRestUtil::getRequestData` sees them: query string, then a JSON body
 * (`array_replace`d over the query; invalid JSON = no params) or a form / multipart body (PHP brackets, strings).
 */
import type { IncomingMessage } from "node:http";
import { parsePhpQuery } from "./php-query.js";

export interface UploadedFile {
  filename: string;
  content: Buffer;
  contentType: string;
}

export interface RequestData {
  params: Record<string, unknown>;
  files: Map<string, UploadedFile>;
}

export async function readBody(req: IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) throw new Error("request body too large");
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

function parseMultipart(body: Buffer, boundary: string): { pairs: string[]; files: Map<string, UploadedFile> } {
  const pairs: string[] = [];
  const files = new Map<string, UploadedFile>();
  const delim = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delim);
  while (pos >= 0) {
    const start = pos + delim.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    const next = body.indexOf(delim, start);
    if (next < 0) break;
    let part = body.subarray(start, next);
    if (part.subarray(0, 2).toString() === "\r\n") part = part.subarray(2);
    if (part.subarray(part.length - 2).toString() === "\r\n") part = part.subarray(0, part.length - 2);
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd >= 0) {
      const headers = part.subarray(0, headerEnd).toString("utf8");
      const content = part.subarray(headerEnd + 4);
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
      const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1] ?? "application/octet-stream";
      if (name !== undefined) {
        if (filename !== undefined) files.set(name, { filename, content: Buffer.from(content), contentType: type.trim() });
        else pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(content.toString("utf8"))}`);
      }
    }
    pos = next;
  }
  return { pairs, files };
}

export function requestData(contentType: string | undefined, query: string, body: Buffer): RequestData {
  const params: Record<string, unknown> = parsePhpQuery(query);
  const files = new Map<string, UploadedFile>();
  const ct = (contentType ?? "").toLowerCase();
  if (body.length === 0) return { params, files };
  if (ct.startsWith("application/json")) {
    try {
      const parsed: unknown = JSON.parse(body.toString("utf8"));
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) Object.assign(params, parsed);
    } catch {
      // invalid JSON is treated as empty params (no error) — fact sheet §7
    }
  } else if (ct.startsWith("application/x-www-form-urlencoded")) {
    Object.assign(params, parsePhpQuery(body.toString("utf8")));
  } else if (ct.startsWith("multipart/form-data")) {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType ?? "")?.[1];
    if (boundary) {
      const mp = parseMultipart(body, boundary);
      Object.assign(params, parsePhpQuery(mp.pairs.join("&")));
      for (const [k, f] of mp.files) files.set(k, f);
    }
  }
  return { params, files };
}
