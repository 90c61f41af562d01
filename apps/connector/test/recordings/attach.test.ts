import { writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { startB24Emulator, type B24Emulator } from "@asterisk-b24/testkit";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachRecordingLink, recordingLinkHtml, withRecordingBlock } from "../../src/recordings/attach-link.js";
import { attachRecordingFile, attachRecordingUrl, b24RecordFilename } from "../../src/recordings/attach-file.js";
import { RecordingAttachError, RecordingFormatError } from "../../src/recordings/errors.js";
import { prepareRecording } from "../../src/recordings/prepare.js";
import { createRecordingsRouter } from "../../src/recordings/router.js";
import { signedRecordingUrl } from "../../src/recordings/signed-url.js";
import type { B24Port, B24Uploader } from "../../src/crm/port.js";
import { createWebhookPort } from "../support/webhook-port.js";
import { tempDir, writeWav } from "./helpers.js";

const SECRET = "attach-test-secret-0123456789";

let emu: B24Emulator;
let port: B24Port & B24Uploader;
let dir: string;
let cleanup: () => Promise<void>;
let server: Server;
let recordingsBase: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir("attach"));
  emu = await startB24Emulator({
    webhook: { userId: 1, code: "attachtestcode" },
    users: [
      { ID: 1, NAME: "Admin", UF_PHONE_INNER: "100" },
      { ID: 2, NAME: "Anna", UF_PHONE_INNER: "101" },
    ],
    contacts: [{ ID: 12, NAME: "Ivan", ASSIGNED_BY_ID: 2, PHONE: [{ VALUE: "+79161234567", VALUE_TYPE: "WORK" }] }],
    limits: false,
  });
  port = createWebhookPort(emu.webhookUrl);
  const app = express();
  app.use("/recordings", createRecordingsRouter({ root: dir, secret: SECRET }));
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  recordingsBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/recordings`;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await emu?.close();
  await cleanup?.();
});

/** A registered and finished call, like the pipeline leaves it before attaching the record. */
async function finishedCall(): Promise<{ callId: string; activityId: number }> {
  const reg = await port.call<{ CALL_ID: string }>("telephony.externalCall.register", {
    USER_PHONE_INNER: "101",
    PHONE_NUMBER: "79161234567",
    TYPE: 2,
    SHOW: 0,
    EXTERNAL_CALL_ID: `ext-${Math.random().toString(36).slice(2)}`,
  });
  const fin = await port.call<{ CRM_ACTIVITY_ID: number }>("telephony.externalCall.finish", {
    CALL_ID: reg.CALL_ID,
    USER_ID: 2,
    DURATION: 42,
    STATUS_CODE: "200",
  });
  return { callId: reg.CALL_ID, activityId: fin.CRM_ACTIVITY_ID };
}

describe("b24RecordFilename", () => {
  it("lower-cases the extension, refuses other formats", () => {
    expect(b24RecordFilename("/m/2026/in-101.WAV")).toBe("in-101.wav");
    expect(b24RecordFilename("out.mp3")).toBe("out.mp3");
    expect(() => b24RecordFilename("x.gsm")).toThrow(RecordingFormatError);
    expect(() => b24RecordFilename("noext")).toThrow(RecordingFormatError);
  });
});

describe("attach as a file (emulator)", () => {
  it("small file: FILENAME + FILE_CONTENT base64", async () => {
    const { callId } = await finishedCall();
    const path = join(dir, "small.WAV");
    const bytes = await writeWav(path, 0.2);
    const r = await attachRecordingFile(port, port, callId, path);
    expect(r).toMatchObject({ via: "content", filename: "small.wav" });
    expect(r.fileId).toBeGreaterThan(0);
    expect(emu.file(r.fileId!)?.content.equals(bytes)).toBe(true);
    expect(emu.call(callId)?.records.at(-1)).toMatchObject({ via: "content", name: "small.wav" });
  });

  it("large file: FILENAME alone → uploadUrl → multipart POST", async () => {
    const { callId } = await finishedCall();
    const path = join(dir, "large.wav");
    const bytes = await writeWav(path, 3);
    const r = await attachRecordingFile(port, port, callId, path, { inlineMaxBytes: 1024 });
    expect(r).toMatchObject({ via: "upload", filename: "large.wav" });
    expect(emu.file(r.fileId!)?.content.equals(bytes)).toBe(true);
    expect(emu.call(callId)?.records.at(-1)).toMatchObject({ via: "upload", size: bytes.length });
  });

  it("a repeated attach replaces the record (re-processing is safe)", async () => {
    const { callId } = await finishedCall();
    const path = join(dir, "again.wav");
    await writeWav(path, 0.1);
    const first = await attachRecordingFile(port, port, callId, path);
    const second = await attachRecordingFile(port, port, callId, path);
    expect(emu.file(first.fileId!)).toBeUndefined();
    expect(emu.file(second.fileId!)).toBeDefined();
  });

  it("before finish Bitrix24 refuses (the caller sees the port's error)", async () => {
    const path = join(dir, "early.wav");
    await writeWav(path, 0.1);
    await expect(attachRecordingFile(port, port, "externalCall.nope.1", path)).rejects.toThrow(/not finished yet/);
  });

  it("no uploadUrl in the answer → RecordingAttachError", async () => {
    const path = join(dir, "weird.wav");
    await writeWav(path, 0.1);
    const fake: B24Port = { call: async <T>() => ({}) as T, callRaw: async <T>() => ({ result: {} as T }) };
    await expect(attachRecordingFile(fake, port, "c", path, { inlineMaxBytes: 1 })).rejects.toBeInstanceOf(RecordingAttachError);
  });

  it("by URL: Bitrix24 downloads the connector's signed link", async () => {
    const { callId } = await finishedCall();
    const path = join(dir, "byurl.wav");
    const bytes = await writeWav(path, 0.3);
    const url = signedRecordingUrl(recordingsBase, "byurl.wav", { secret: SECRET });
    const r = await attachRecordingUrl(port, callId, url, "byurl.wav");
    expect(r.via).toBe("url");
    expect(emu.file(r.fileId!)?.content.equals(bytes)).toBe(true);
  });
});

describe("attach as a link / player in the activity (emulator)", () => {
  it("HTML block: escaped URL, audio or link, replaced not duplicated", () => {
    const html = recordingLinkHtml('https://x/r/t"k/a.wav?a=1&b=2', "audio");
    expect(html).toContain('<audio controls preload="none" src="https://x/r/t&quot;k/a.wav?a=1&amp;b=2">');
    expect(recordingLinkHtml("https://x/a.wav", "link")).not.toContain("<audio");
    const once = withRecordingBlock("Call notes", recordingLinkHtml("https://x/1.wav"));
    const twice = withRecordingBlock(once, recordingLinkHtml("https://x/2.wav"));
    expect(twice.startsWith("Call notes<br>")).toBe(true);
    expect(twice).toContain("https://x/2.wav");
    expect(twice).not.toContain("https://x/1.wav");
  });

  it("finds the activity by ORIGIN_ID=VI_<CALL_ID> and writes DESCRIPTION (HTML) once, even when repeated", async () => {
    const { callId, activityId } = await finishedCall();
    expect(activityId).toBeGreaterThan(0);
    const url = signedRecordingUrl(recordingsBase, "byurl.wav", { secret: SECRET });
    expect(await attachRecordingLink(port, { callId, url })).toEqual({ activityId });
    expect(await attachRecordingLink(port, { callId, url, mode: "link" })).toEqual({ activityId });
    const activity = (emu.snapshot().activities as Array<Record<string, unknown>>).find((a) => a.ID === activityId)!;
    expect(String(activity.DESCRIPTION_TYPE)).toBe("3");
    const description = String(activity.DESCRIPTION);
    expect(description.split("<!--ab24:record-->")).toHaveLength(2);
    expect(description).toContain(`href="${url}"`);
    // the link in the activity really plays
    const res = await fetch(url);
    expect(res.status).toBe(200);
  });

  it("with a known activity id (finish's CRM_ACTIVITY_ID) no lookup is needed", async () => {
    const { activityId } = await finishedCall();
    await attachRecordingLink(port, { activityId, url: "https://c.example/r/x/a.wav", existingDescription: "" });
    const activity = (emu.snapshot().activities as Array<Record<string, unknown>>).find((a) => a.ID === activityId)!;
    expect(String(activity.DESCRIPTION)).toContain("https://c.example/r/x/a.wav");
  });

  it("an unknown call → RecordingAttachError", async () => {
    await expect(attachRecordingLink(port, { callId: "externalCall.none.1", url: "https://x/a.wav" })).rejects.toBeInstanceOf(RecordingAttachError);
    await expect(attachRecordingLink(port, { url: "https://x/a.wav" })).rejects.toBeInstanceOf(RecordingAttachError);
  });
});

describe("prepareRecording → attach (emulator, the whole path)", () => {
  it("MIXMONITOR_FILENAME relative to the monitor folder, waited for, converted by a fake, attached", async () => {
    const { callId } = await finishedCall();
    await writeWav(join(dir, "mix.wav"), 0.2);
    await writeFile(join(dir, "mix.mp3"), Buffer.from("ID3 fake mp3"));
    const prepared = await prepareRecording(
      { mixMonitorFilename: "mix.wav", uniqueid: "1.1" },
      {
        location: { monitorDir: dir },
        wait: { pollMs: 1 },
        convert: { enabled: true, converter: { convert: async () => join(dir, "mix.mp3") } },
      },
    );
    expect(prepared).toMatchObject({ path: join(dir, "mix.mp3"), originalPath: join(dir, "mix.wav"), source: "mixmonitor", size: 12 });
    const r = await attachRecordingFile(port, port, callId, prepared!.path);
    expect(r.filename).toBe("mix.mp3");
  });

  it("no MIXMONITOR_FILENAME: the lookup's answer; nothing anywhere: undefined", async () => {
    await writeWav(join(dir, "fromdb.wav"), 0.1);
    const lookup = { find: async () => "fromdb.wav", close: async () => undefined };
    const prepared = await prepareRecording({ uniqueid: "1.2", linkedid: "1.1" }, { location: { monitorDir: dir }, lookup, wait: { pollMs: 1 } });
    expect(prepared).toMatchObject({ path: join(dir, "fromdb.wav"), source: "database" });
    expect(prepared?.conversion).toBeUndefined();
    expect(await prepareRecording({ uniqueid: "1.3" }, { location: { monitorDir: dir } })).toBeUndefined();
    const preferred = await prepareRecording(
      { mixMonitorFilename: "mix.wav", uniqueid: "1.2" },
      { location: { monitorDir: dir }, lookup, preferLookup: true, wait: { pollMs: 1 } },
    );
    expect(preferred?.source).toBe("database");
  });
});
