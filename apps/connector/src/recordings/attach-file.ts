import { readFile, stat } from "node:fs/promises";
import { basename, extname } from "node:path";
import type { B24Port, B24Uploader } from "../crm/port.js";
import { RecordingAttachError, RecordingFormatError } from "./errors.js";

/**
 * Attaches a recording file to a finished call (telephony.externalCall.attachRecord; call it after
 * `finish`, bitrix24-rest.md §1.5):
 * - small files: FILENAME + FILE_CONTENT (base64) in one call;
 * - large files: FILENAME alone → `{uploadUrl, fieldName}` → multipart POST of the file to
 *   uploadUrl → `{FILE_ID}` (no 4/3 base64 blow-up, no huge JSON body through the batcher);
 * - by URL: RECORD_URL, Bitrix24 downloads the file itself (a box that can reach the connector's
 *   signed link).
 * A repeated attach replaces the call's previous record, so re-processing is safe.
 */

export interface AttachFileOptions {
  /** Files up to this size go inline as base64 (default 2 MiB); larger ones use uploadUrl. */
  inlineMaxBytes?: number;
  /** Name shown in Bitrix24 (default: the file's own name). Its extension must be wav or mp3. */
  filename?: string;
}

export interface AttachResult {
  fileId: number | undefined;
  via: "content" | "upload" | "url";
  filename: string;
}

/** `in-101-…-1773130779.WAV` → `in-101-…-1773130779.wav`; anything but wav/mp3 → RecordingFormatError. */
export function b24RecordFilename(name: string): string {
  const base = basename(name);
  const ext = extname(base).toLowerCase();
  if (ext !== ".wav" && ext !== ".mp3") {
    throw new RecordingFormatError(`Bitrix24 accepts only wav and mp3 recordings, not "${base}"`);
  }
  return base.slice(0, -ext.length) + ext;
}

function fileIdOf(result: unknown): number | undefined {
  const raw = (result as { FILE_ID?: unknown } | null)?.FILE_ID;
  const n = Number(raw);
  return raw !== undefined && Number.isFinite(n) ? n : undefined;
}

export async function attachRecordingFile(port: B24Port, uploader: B24Uploader, callId: string, path: string, options: AttachFileOptions = {}): Promise<AttachResult> {
  const filename = b24RecordFilename(options.filename ?? path);
  const size = (await stat(path)).size;
  const inlineMax = options.inlineMaxBytes ?? 2 * 1024 * 1024;
  if (size <= inlineMax) {
    const content = await readFile(path);
    const result = await port.call("telephony.externalCall.attachRecord", {
      CALL_ID: callId,
      FILENAME: filename,
      FILE_CONTENT: content.toString("base64"),
    });
    return { fileId: fileIdOf(result), via: "content", filename };
  }
  const ticket = await port.call<{ uploadUrl?: unknown; fieldName?: unknown }>("telephony.externalCall.attachRecord", {
    CALL_ID: callId,
    FILENAME: filename,
  });
  if (typeof ticket?.uploadUrl !== "string" || ticket.uploadUrl === "") {
    throw new RecordingAttachError(`attachRecord gave no uploadUrl for ${callId}`);
  }
  const fieldName = typeof ticket.fieldName === "string" && ticket.fieldName ? ticket.fieldName : "file";
  const content = await readFile(path);
  const uploaded = await uploader.upload(ticket.uploadUrl, fieldName, filename, content);
  return { fileId: fileIdOf(uploaded), via: "upload", filename };
}

/** Bitrix24 downloads the file from `url` (e.g. the connector's signed link). */
export async function attachRecordingUrl(port: B24Port, callId: string, url: string, filename: string): Promise<AttachResult> {
  const name = b24RecordFilename(filename);
  const result = await port.call("telephony.externalCall.attachRecord", { CALL_ID: callId, RECORD_URL: url, FILENAME: name });
  return { fileId: fileIdOf(result), via: "url", filename: name };
}
