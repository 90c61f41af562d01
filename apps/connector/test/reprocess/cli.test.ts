/** The reprocess command: a day by hand, progress lines on a non-terminal stderr, report files, summary. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { loadRecording, requireService, SERVICES, uniquePrefix, writeRecordingFiles } from "@asterisk-b24/testkit";
import { startStack } from "../../src/demo/stack.js";
import { silentLogger } from "../../src/log/logger.js";
import { parseWhen, periodOf, progressLine, reprocessCommand } from "../../src/reprocess/cli.js";
import { firstCelTime, loadCelTables, recordingRows } from "./cel-db.js";
import { DAY, duplicates } from "./helpers.js";

const available = (await requireService("redis")) && (await requireService("mariadb"));

describe("reprocess command: arguments and progress", () => {
  it("reads a day as local midnight to midnight and refuses bad periods", () => {
    const { from, to } = periodOf({ config: "x", day: "2026-11-30" });
    expect(from.getHours()).toBe(0);
    expect(to.getTime() - from.getTime()).toBeGreaterThanOrEqual(23 * 3600_000);
    expect(() => parseWhen("yesterday", "--from")).toThrow(/--from: not a date/);
    expect(() => periodOf({ config: "x", from: "2026-11-30", to: "2026-11-29" })).toThrow(/before/);
    expect(() => periodOf({ config: "x" })).toThrow(/--from and --to/);
  });

  it("draws a bar with counts and an ETA", () => {
    const line = progressLine(
      {
        id: "r",
        status: "running",
        params: { from: "", to: "", only: "all", dryRun: false, trigger: "cli" },
        startedAt: "",
        progress: { total: 200, done: 50, etaSeconds: 95 },
        counts: { checked: 50, alreadyFine: 40, fixed: 9, stillWrong: 1 },
      },
      20,
    );
    expect(line).toBe("[#####---------------]  25% 50/200 calls fine 40 fixed 9 wrong 1 ETA 1m35s");
  });
});

describe.runIf(available)("reprocess command against a running stack", () => {
  it("lands a day's missing calls and writes the report", async () => {
    const names = ["01_inbound_ext101_answered", "06_outbound_answered"];
    const day = new Date(Date.now() - 3 * DAY);
    day.setHours(0, 0, 0, 0);
    const shift = day.getTime() + 10 * 3600_000 - (await firstCelTime(names));
    const cel = await loadCelTables("mysql", `rp_cli_${process.pid}_${Date.now().toString(36)}`, await recordingRows(names, shift));
    const stack = await startStack({
      recordings: [],
      speed: "asap",
      redisUrl: SERVICES.redis.url,
      redisPrefix: uniquePrefix("rp-cli"),
      logger: silentLogger(),
      limits: false,
      config: { cel: cel.config, reprocess: { schedule: false } } as never,
    });
    const dir = mkdtempSync(join(tmpdir(), "ab24-rp-cli-"));
    try {
      for (const n of names) writeRecordingFiles(loadRecording(n), stack.monitorDir);
      const configFile = join(dir, "connector.json");
      writeFileSync(configFile, JSON.stringify(stack.connector.config));
      const err = new PassThrough();
      const out = new PassThrough();
      const errText: string[] = [];
      const outText: string[] = [];
      err.on("data", (d) => errText.push(String(d)));
      out.on("data", (d) => outText.push(String(d)));
      const ymd = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, "0")}-${String(day.getDate()).padStart(2, "0")}`;
      const code = await reprocessCommand({ config: configFile, day: ymd, reportDir: dir }, err as unknown as NodeJS.WriteStream, out);
      expect(code).toBe(0);
      expect(errText.join("")).toMatch(/^reprocessing \S+: .* only all\n/);
      expect(errText.join("")).toMatch(/\] 100% 2\/2 calls fine 0 fixed 2 wrong 0\n/);
      const summary = outText.join("");
      expect(summary).toMatch(/^done: checked 2, already fine 0, fixed 2, still wrong 0\n/);
      const path = /report: (\S+\.html)/.exec(summary)![1]!;
      expect(readFileSync(path, "utf8")).toContain('<b id="fixed">2</b>');
      expect(JSON.parse(readFileSync(path.replace(/\.html$/, ".json"), "utf8")).fixed).toHaveLength(2);
      expect(stack.emu.calls()).toHaveLength(2);
      expect(duplicates(stack.emu)).toEqual([]);
      // The run is in the connector's history like any other.
      const runs = await stack.connector.reprocess.list();
      expect(runs[0]).toMatchObject({ status: "done", params: { trigger: "cli" } });
    } finally {
      await stack.close();
      await cel.drop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
