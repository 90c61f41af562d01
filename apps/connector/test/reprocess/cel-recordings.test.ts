/**
 * Must show: every shared recording's CEL, loaded into real MariaDB and real PostgreSQL and
 * reprocessed into an EMPTY emulated portal, gives the outcome of its NAME.expect.json; a second
 * run changes nothing (no second registration, no second record, nothing fixed).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRecording, requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { startStack, type Stack } from "../../src/demo/stack.js";
import { silentLogger } from "../../src/log/logger.js";
import { CEL_NAMES } from "../cel/fixtures.js";
import { firstCelTime, loadCelTables, recordingRows, type DbKind } from "./cel-db.js";
import { DAY, duplicates, reprocessedOutcome, reprocessRun } from "./helpers.js";

const redis = await requireService("redis");
const dbs: Array<[DbKind, boolean]> = [
  ["mysql", await requireService("mariadb")],
  ["postgres", await requireService("postgres")],
];

describe.each(dbs)("every recording's CEL in %s, reprocessed into an empty portal", (kind, available) => {
  const run = redis && available;
  let stack: Stack;
  let drop: () => Promise<void> = async () => {};
  const now = Date.now();

  beforeAll(async () => {
    if (!run) return;
    // The calls happened two days ago (same ids and durations as recorded).
    const shift = now - 2 * DAY - (await firstCelTime(CEL_NAMES));
    const tag = `rp_${kind}_${process.pid}_${Date.now().toString(36)}`;
    const loaded = await loadCelTables(kind, tag, await recordingRows(CEL_NAMES, shift));
    drop = loaded.drop;
    stack = await startStack({
      recordings: [],
      speed: "asap",
      redisUrl: SERVICES.redis.url,
      redisPrefix: uniquePrefix(`rp-cel-${kind}`),
      logger: silentLogger(),
      limits: false,
      config: { cel: loaded.config, reprocess: { schedule: false } } as never,
    });
    // The recordings' audio files where the PBX wrote them (the stack mounts that folder).
    const { writeRecordingFiles } = await import("@asterisk-b24/testkit");
    for (const n of CEL_NAMES) writeRecordingFiles(loadRecording(n), stack.monitorDir);
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    await drop().catch(() => undefined);
  });

  it.runIf(run)(
    "lands every call with its expected outcome, then a second run changes nothing",
    async () => {
      const period = { from: new Date(now - 7 * DAY).toISOString(), to: new Date(now).toISOString() };
      const first = await reprocessRun(stack.connector, period);
      expect(first.status, first.error).toBe("done");
      const problems = CEL_NAMES.map((n) => ({ rec: n, problems: reprocessedOutcome(loadRecording(n), stack.emu) }));
      expect(problems).toEqual(CEL_NAMES.map((n) => ({ rec: n, problems: [] })));
      const expectedCalls = CEL_NAMES.reduce((s, n) => s + loadRecording(n).expect.expect.calls.length, 0);
      expect(stack.emu.calls()).toHaveLength(expectedCalls);
      expect(first.counts!.fixed).toBe(expectedCalls);
      expect(first.counts!.stillWrong).toBe(0);
      expect(first.counts!.checked).toBe(first.counts!.fixed + first.counts!.alreadyFine);
      const after = (({ callsRegistered, callsFinished, recordsAttached, callsDeduplicated }) => ({ callsRegistered, callsFinished, recordsAttached, callsDeduplicated }))(
        stack.emu.stats(),
      );
      expect(after.recordsAttached).toBeGreaterThan(0);

      // Journalled as reprocessed, with the live pass marked as not having seen them.
      const journal = await stack.connector.journal.list({ limit: 200, status: "reprocessed" });
      expect(journal.length).toBe(expectedCalls);
      expect(journal.every((c) => c.liveResult === "unseen" && c.verify === "fixed")).toBe(true);

      const second = await reprocessRun(stack.connector, period);
      expect(second.status).toBe("done");
      expect(second.counts).toEqual({ checked: first.counts!.checked, alreadyFine: first.counts!.checked, fixed: 0, stillWrong: 0 });
      expect(stack.emu.calls()).toHaveLength(expectedCalls);
      expect(
        (({ callsRegistered, callsFinished, recordsAttached, callsDeduplicated }) => ({ callsRegistered, callsFinished, recordsAttached, callsDeduplicated }))(stack.emu.stats()),
      ).toEqual(after);
      expect(duplicates(stack.emu)).toEqual([]);
    },
    600_000,
  );
});
