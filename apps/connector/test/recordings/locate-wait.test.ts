import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RecordingNotFoundError, RecordingNotStableError, RecordingPathError } from "../../src/recordings/errors.js";
import { resolveRecordingPath } from "../../src/recordings/locate.js";
import { waitForStableFile } from "../../src/recordings/wait-stable.js";
import { serviceAvailable, tempDir } from "./helpers.js";

describe("resolveRecordingPath", () => {
  const monitorDir = "/var/spool/asterisk/monitor";
  it("absolute as is, relative under the monitor folder", () => {
    expect(resolveRecordingPath("/var/spool/asterisk/monitor/2026/03/07/a.wav")).toBe("/var/spool/asterisk/monitor/2026/03/07/a.wav");
    expect(resolveRecordingPath("2026/03/07/a.wav", { monitorDir })).toBe("/var/spool/asterisk/monitor/2026/03/07/a.wav");
    expect(resolveRecordingPath(" a.wav ", { monitorDir: "/rec" })).toBe("/rec/a.wav");
  });
  it("FreePBX bare names go under the call's date", () => {
    const at = new Date(2026, 2, 7, 10, 20, 30);
    expect(resolveRecordingPath("in-101.wav", { monitorDir, datedSubfolders: true }, at)).toBe("/var/spool/asterisk/monitor/2026/03/07/in-101.wav");
    expect(resolveRecordingPath("x/in-101.wav", { monitorDir, datedSubfolders: true }, at)).toBe("/var/spool/asterisk/monitor/x/in-101.wav");
  });
  it("mounts rewrite the PBX prefix", () => {
    const mounts = [{ pbx: "/var/spool/asterisk/monitor", local: "/mnt/pbx-monitor" }];
    expect(resolveRecordingPath("/var/spool/asterisk/monitor/a.wav", { mounts })).toBe("/mnt/pbx-monitor/a.wav");
    expect(resolveRecordingPath("b/a.wav", { monitorDir, mounts })).toBe("/mnt/pbx-monitor/b/a.wav");
    expect(resolveRecordingPath("/var/spool/asterisk/monitorX/a.wav", { mounts })).toBe("/var/spool/asterisk/monitorX/a.wav");
  });
  it("no climbing out; allowedRoots; empty names", () => {
    expect(() => resolveRecordingPath("../../../etc/passwd", { monitorDir })).toThrow(RecordingPathError);
    expect(() => resolveRecordingPath("2026/../../x.wav", { monitorDir })).toThrow(RecordingPathError);
    expect(() => resolveRecordingPath("/etc/passwd", { allowedRoots: [monitorDir] })).toThrow(RecordingPathError);
    expect(() => resolveRecordingPath("/var/spool/asterisk/monitor/../../../etc/passwd", { allowedRoots: [monitorDir] })).toThrow(RecordingPathError);
    expect(resolveRecordingPath("/var/spool/asterisk/monitor/a.wav", { allowedRoots: [monitorDir] })).toBe("/var/spool/asterisk/monitor/a.wav");
    expect(() => resolveRecordingPath("  ")).toThrow(RecordingPathError);
  });
});

describe("waitForStableFile (scripted sizes: no real waiting)", () => {
  const scripted = (sizes: Array<number | undefined>) => {
    let i = 0;
    let clock = 0;
    return {
      polls: () => i,
      options: {
        timeoutMs: 1000,
        pollMs: 100,
        sizeOf: async () => sizes[Math.min(i++, sizes.length - 1)],
        sleep: async (ms: number) => {
          clock += ms;
        },
        now: () => clock,
      },
    };
  };

  it("resolves once the size stops changing", async () => {
    const s = scripted([undefined, 0, 100, 250, 250]);
    expect(await waitForStableFile("/x.wav", s.options)).toEqual({ path: "/x.wav", size: 250 });
    expect(s.polls()).toBe(5);
  });
  it("stableChecks: 3 identical sizes", async () => {
    const s = scripted([10, 10, 20, 20, 20]);
    expect(await waitForStableFile("/x.wav", { ...s.options, stableChecks: 3 })).toEqual({ path: "/x.wav", size: 20 });
    expect(s.polls()).toBe(5);
  });
  it("never appears → RecordingNotFoundError; empty forever → RecordingNotFoundError", async () => {
    await expect(waitForStableFile("/x.wav", scripted([undefined]).options)).rejects.toBeInstanceOf(RecordingNotFoundError);
    await expect(waitForStableFile("/x.wav", scripted([0]).options)).rejects.toBeInstanceOf(RecordingNotFoundError);
  });
  it("keeps growing → RecordingNotStableError with the last size", async () => {
    let n = 0;
    const s = scripted([]);
    const err = await waitForStableFile("/x.wav", { ...s.options, sizeOf: async () => (n += 10) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecordingNotStableError);
    expect((err as RecordingNotStableError).lastSize).toBeGreaterThan(0);
  });
  it("abort stops the wait", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(waitForStableFile("/x.wav", { ...scripted([1]).options, signal: controller.signal })).rejects.toThrow();
  });
});

describe("waitForStableFile on the real file system", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await tempDir("wait")));
  afterAll(() => cleanup());

  it("a finished file", async () => {
    const path = join(dir, "a.wav");
    await writeFile(path, Buffer.alloc(1234));
    expect(await waitForStableFile(path, { pollMs: 5 })).toEqual({ path, size: 1234 });
  });
  it("a file that appears while we wait", async () => {
    const path = join(dir, "late.wav");
    const waiting = waitForStableFile(path, { pollMs: 5, timeoutMs: 60_000 });
    await writeFile(path, Buffer.alloc(20));
    const { size } = await waiting;
    expect(size).toBe(20);
  });
  it("a missing file within a tiny limit; a directory is not a file", async () => {
    await expect(waitForStableFile(join(dir, "none.wav"), { pollMs: 1, timeoutMs: 5 })).rejects.toBeInstanceOf(RecordingNotFoundError);
    await mkdir(join(dir, "d.wav"));
    await expect(waitForStableFile(join(dir, "d.wav"), { pollMs: 1, timeoutMs: 5 })).rejects.toBeInstanceOf(RecordingNotFoundError);
  });
});

describe("serviceAvailable: FAIL, not skip, under CI", () => {
  it("throws with CI=true for a closed port, returns false otherwise", async () => {
    const saved = process.env.CI;
    try {
      process.env.CI = "true";
      await expect(serviceAvailable("nothing", "127.0.0.1", 1)).rejects.toThrow(/CI=true/);
      process.env.CI = "";
      expect(await serviceAvailable("nothing", "127.0.0.1", 1)).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });
});
