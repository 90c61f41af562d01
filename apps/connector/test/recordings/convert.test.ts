import { execFileSync } from "node:child_process";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convertWithFallback, ffmpegConverter, mp3PathFor, type RecordingConverter } from "../../src/recordings/convert.js";
import { isCI, tempDir, writeWav } from "./helpers.js";

function ffmpegInstalled(): boolean {
  try {
    execFileSync("ffmpeg", ["-version"], { stdio: "ignore", timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

const hasFfmpeg = ffmpegInstalled();
if (!hasFfmpeg) {
  // Under CI a missing ffmpeg fails this file (run scripts/ensure-ffmpeg.sh); elsewhere the real-ffmpeg part skips.
  if (isCI()) throw new Error("ffmpeg is not installed (CI=true: the conversion tests must not skip; run scripts/ensure-ffmpeg.sh)");
  process.stderr.write("skipping real ffmpeg conversion: ffmpeg is not installed (scripts/ensure-ffmpeg.sh)\n");
}

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir("convert")));
afterAll(() => cleanup());

describe("convertWithFallback (fake converters)", () => {
  it("not a wav → original, no converter call", async () => {
    let called = false;
    const converter: RecordingConverter = { convert: async () => ((called = true), "/x.mp3") };
    expect(await convertWithFallback("/r/a.mp3", converter)).toEqual({ path: "/r/a.mp3", converted: false, reason: "not-wav" });
    expect(called).toBe(false);
  });

  it("a converter that never finishes → original after the limit, and it is told to stop", async () => {
    let aborted = false;
    const slow: RecordingConverter = {
      convert: (_input, signal) =>
        new Promise((_, reject) => {
          signal.addEventListener("abort", () => {
            aborted = true;
            reject(new Error("stopped"));
          });
        }),
    };
    expect(await convertWithFallback("/r/a.WAV", slow, 1)).toEqual({ path: "/r/a.WAV", converted: false, reason: "timeout" });
    expect(aborted).toBe(true);
  });

  it("a failing converter → original with the reason", async () => {
    const broken: RecordingConverter = { convert: async () => Promise.reject(new Error("codec missing")) };
    expect(await convertWithFallback("/r/a.wav", broken)).toEqual({
      path: "/r/a.wav",
      converted: false,
      reason: "failed",
      detail: "codec missing",
    });
  });

  it("mp3PathFor: next to the wav or in the output folder", () => {
    expect(mp3PathFor("/m/2026/a.b.wav")).toBe("/m/2026/a.b.mp3");
    expect(mp3PathFor("/m/2026/a.wav", "/out")).toBe("/out/a.mp3");
  });

  it("a missing ffmpeg binary → original, reason failed", async () => {
    const input = join(dir, "nobin.wav");
    await writeWav(input, 0.1);
    const r = await convertWithFallback(input, ffmpegConverter({ ffmpegPath: "/nonexistent/ffmpeg-ab24" }), 10_000);
    expect(r).toMatchObject({ path: input, converted: false, reason: "failed" });
  });
});

describe.skipIf(!hasFfmpeg)("ffmpeg conversion (real ffmpeg)", () => {
  it("converts a generated wav to a real mp3", async () => {
    const input = join(dir, "call.wav");
    await writeWav(input, 2);
    const r = await convertWithFallback(input, ffmpegConverter(), 60_000);
    expect(r).toEqual({ path: join(dir, "call.mp3"), converted: true });
    const mp3 = await readFile(r.path);
    expect(mp3.length).toBeGreaterThan(0);
    // An mp3 starts with an ID3 tag or an MPEG frame sync.
    expect(mp3.subarray(0, 3).toString("latin1") === "ID3" || (mp3[0] === 0xff && (mp3[1]! & 0xe0) === 0xe0)).toBe(true);
    expect((await stat(input)).size).toBeGreaterThan(0); // the original stays
  });

  it("writes into outputDir and leaves no partial files", async () => {
    const out = join(dir, "out");
    await import("node:fs/promises").then((fs) => fs.mkdir(out));
    const input = join(dir, "second.wav");
    await writeWav(input, 1);
    const r = await convertWithFallback(input, ffmpegConverter({ outputDir: out, bitrate: "32k" }), 60_000);
    expect(r).toEqual({ path: join(out, "second.mp3"), converted: true });
    expect(await readdir(out)).toEqual(["second.mp3"]);
  });

  it("a 1 ms limit falls back to the original and cleans up the partial mp3", async () => {
    const out = join(dir, "timeout");
    await import("node:fs/promises").then((fs) => fs.mkdir(out));
    const input = join(dir, "long.wav");
    await writeWav(input, 30);
    const r = await convertWithFallback(input, ffmpegConverter({ outputDir: out }), 1);
    expect(r).toEqual({ path: input, converted: false, reason: "timeout" });
    // the killed ffmpeg's partial file is removed (poll: removal follows the kill)
    await expect.poll(() => readdir(out), { timeout: 30_000 }).toEqual([]);
  });

  it("a broken wav → original, reason failed", async () => {
    const input = join(dir, "broken.wav");
    await import("node:fs/promises").then((fs) => fs.writeFile(input, "not a wav at all"));
    const r = await convertWithFallback(input, ffmpegConverter({ outputDir: join(dir, "timeout") }), 60_000);
    expect(r).toMatchObject({ path: input, converted: false, reason: "failed" });
    expect(await readdir(join(dir, "timeout"))).toEqual([]);
  });
});
