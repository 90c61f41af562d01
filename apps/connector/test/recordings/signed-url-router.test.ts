import { mkdir, symlink, writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RecordingPathError, RecordingTokenError } from "../../src/recordings/errors.js";
import { createRecordingsRouter } from "../../src/recordings/router.js";
import { relativeToRoot, signedRecordingUrl, signRecordingToken, verifyRecordingToken } from "../../src/recordings/signed-url.js";
import { tempDir, wavBytes } from "./helpers.js";

const SECRET = "test-secret-0123456789abcdef";
const T0 = Date.parse("2026-03-07T07:00:00Z");

describe("signed recording tokens", () => {
  it("round trip", () => {
    const token = signRecordingToken("2026/03/07/a.wav", { secret: SECRET, ttlSeconds: 60, now: () => T0 });
    expect(verifyRecordingToken(token, { secret: SECRET, now: () => T0 + 59_000 })).toBe("2026/03/07/a.wav");
  });
  it("expired, tampered, wrong secret, malformed", () => {
    const token = signRecordingToken("a.wav", { secret: SECRET, ttlSeconds: 60, now: () => T0 });
    const problem = (t: string, secret = SECRET, now = T0) => {
      try {
        verifyRecordingToken(t, { secret, now: () => now });
        return "ok";
      } catch (err) {
        expect(err).toBeInstanceOf(RecordingTokenError);
        return (err as RecordingTokenError).problem;
      }
    };
    expect(problem(token, SECRET, T0 + 60_000)).toBe("expired");
    const [body, sig] = token.split(".") as [string, string];
    const forged = Buffer.from(JSON.stringify({ p: "../../etc/passwd", e: 9e9 })).toString("base64url");
    expect(problem(`${forged}.${sig}`)).toBe("bad-signature");
    expect(problem(`${body}.${sig.slice(0, -2)}xx`)).toBe("bad-signature");
    expect(problem(token, "another-secret-0123456789")).toBe("bad-signature");
    expect(problem("nodot")).toBe("malformed");
    expect(problem("a.b.c")).toBe("malformed");
  });
  it("refuses to sign paths outside the root and short secrets", () => {
    expect(() => signRecordingToken("../x.wav", { secret: SECRET })).toThrow(RecordingPathError);
    expect(() => signRecordingToken("/etc/passwd", { secret: SECRET })).toThrow(RecordingPathError);
    expect(() => signRecordingToken("a/../../x.wav", { secret: SECRET })).toThrow(RecordingPathError);
    expect(() => signRecordingToken("a.wav", { secret: "short" })).toThrow(RangeError);
    expect(relativeToRoot("/rec", "/rec/2026/a.wav")).toBe("2026/a.wav");
    expect(() => relativeToRoot("/rec", "/other/a.wav")).toThrow(RecordingPathError);
  });
  it("URL: base, token, file name", () => {
    const url = signedRecordingUrl("https://c.example/recordings/", "2026/a b.wav", { secret: SECRET, now: () => T0 });
    expect(url).toMatch(/^https:\/\/c\.example\/recordings\/[\w-]+\.[\w-]+\/a%20b\.wav$/);
  });
});

describe("recordings router", () => {
  let dir: string;
  let root: string;
  let cleanup: () => Promise<void>;
  let server: Server;
  let base: string;
  let now = T0;
  const wav = wavBytes(0.5);

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir("router"));
    root = join(dir, "monitor");
    await mkdir(join(root, "2026/03/07"), { recursive: true });
    await writeFile(join(root, "2026/03/07/in-101.wav"), wav);
    await writeFile(join(root, "2026/03/07/in-101.mp3"), Buffer.from("ID3fake"));
    await writeFile(join(root, "notes.txt"), "secret notes");
    await writeFile(join(dir, "outside.wav"), wav);
    await symlink(join(dir, "outside.wav"), join(root, "escape.wav"));
    const app = express();
    app.use("/recordings", createRecordingsRouter({ root, secret: SECRET, now: () => now }));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/recordings`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await cleanup();
  });

  const url = (rel: string, ttlSeconds = 3600) => signedRecordingUrl(base, rel, { secret: SECRET, ttlSeconds, now: () => now });

  it("serves a wav with its type; the token alone works too", async () => {
    const res = await fetch(url("2026/03/07/in-101.wav"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("audio/wav");
    expect(res.headers.get("cache-control")).toContain("private");
    expect(Buffer.from(await res.arrayBuffer()).equals(wav)).toBe(true);
    const token = url("2026/03/07/in-101.mp3").split("/").at(-2)!;
    const mp3 = await fetch(`${base}/${token}`);
    expect(mp3.status).toBe(200);
    expect(mp3.headers.get("content-type")).toBe("audio/mpeg");
  });

  it("range requests (players seek)", async () => {
    const res = await fetch(url("2026/03/07/in-101.wav"), { headers: { range: "bytes=0-43" } });
    expect(res.status).toBe(206);
    expect(Buffer.from(await res.arrayBuffer()).equals(wav.subarray(0, 44))).toBe(true);
  });

  it("403 tampered, 410 expired", async () => {
    const good = url("2026/03/07/in-101.wav");
    const parts = good.split("/");
    const token = parts.at(-2)!;
    const tampered = `${token.slice(0, -3)}abc`;
    expect((await fetch(`${base}/${tampered}/in-101.wav`)).status).toBe(403);
    const garbage = await fetch(`${base}/garbage/in-101.wav`);
    expect(garbage.status).toBe(403);
    expect(await garbage.json()).toEqual({ error: "token_malformed", message: "this recording link is not valid (malformed)" });
    const short = url("2026/03/07/in-101.wav", 1);
    now += 5_000;
    try {
      const res = await fetch(short);
      expect(res.status).toBe(410);
      expect(await res.json()).toEqual({ error: "token_expired", message: "this recording link has expired: open the call again for a fresh one" });
    } finally {
      now = T0;
    }
  });

  it("no path traversal: the name segment is cosmetic, symlinks out of root and non-audio files are 404", async () => {
    const token = url("2026/03/07/in-101.wav").split("/").at(-2)!;
    const sneaky = await fetch(`${base}/${token}/..%2F..%2F..%2Fetc%2Fpasswd`);
    expect(sneaky.status).toBe(200); // still the signed file, nothing else
    expect(Buffer.from(await sneaky.arrayBuffer()).equals(wav)).toBe(true);
    expect((await fetch(url("escape.wav"))).status).toBe(404);
    expect((await fetch(url("notes.txt"))).status).toBe(404);
    expect((await fetch(url("2026/03/07/missing.wav"))).status).toBe(404);
    expect((await fetch(`${base}/../../etc/passwd`)).status).toBe(404);
  });

  it("a validly signed token for a path outside the root (leaked secret + hand-made token) is still refused", async () => {
    const { createHmac } = await import("node:crypto");
    const body = Buffer.from(JSON.stringify({ p: "../outside.wav", e: 9e9 })).toString("base64url");
    const sig = createHmac("sha256", SECRET).update(body).digest("base64url");
    expect((await fetch(`${base}/${body}.${sig}/x.wav`)).status).toBe(404);
    const abs = Buffer.from(JSON.stringify({ p: join(dir, "outside.wav"), e: 9e9 })).toString("base64url");
    const sig2 = createHmac("sha256", SECRET).update(abs).digest("base64url");
    expect((await fetch(`${base}/${abs}.${sig2}/x.wav`)).status).toBe(404);
  });
});
