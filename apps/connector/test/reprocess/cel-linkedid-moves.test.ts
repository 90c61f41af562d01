/**
 * Must show (issue 20 §4): CEL written in Asterisk 22's order for calls whose channels change
 * linkedid — attended transfer inbound and outbound, group pickup, park and retrieve (SYNTHETIC
 * fixtures, packages/testkit/fixtures/asterisk-synthetic-cel) — loaded into MariaDB, PostgreSQL and
 * CSV files and reprocessed into an EMPTY strict emulated portal: one Bitrix24 call each, finished
 * on the right responsible with the right talk time; a second run registers nothing new. And a
 * call an earlier run registered without finishing is finished on that CALL_ID (registration
 * ledger), never registered again.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_USERS, SERVICES, SYNTHETIC_CEL_DIR, requireService, uniquePrefix, type B24Emulator } from "@asterisk-b24/testkit";
import type { CelConfigInput } from "../../src/cel/index.js";
import { startStack, type Stack } from "../../src/demo/stack.js";
import { silentLogger } from "../../src/log/logger.js";
import { SYNTHETIC_CEL_NAMES, syntheticCelExpect, syntheticCelRows } from "../cel/fixtures.js";
import { firstCelTime, loadCelTables, recordingRows, type DbKind } from "./cel-db.js";
import { DAY, duplicates, reprocessRun } from "./helpers.js";

const redis = await requireService("redis");
const kinds: Array<[DbKind | "csv", boolean]> = [
  ["mysql", await requireService("mariadb")],
  ["postgres", await requireService("postgres")],
  ["csv", true],
];

const roots = new Map<string, string>();
for (const n of SYNTHETIC_CEL_NAMES) roots.set(n, (await syntheticCelRows(n)).cel.find((r) => r.eventtype === "CHAN_START" && r.uniqueid === r.linkedid)!.linkedid);

/** Every CEL/CDR time in a CSV text moved by `shiftMs` (the files' times are UTC wall clock). */
function shiftTimes(text: string, shiftMs: number): string {
  return text.replace(/\b(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(\.\d+)?\b/g, (_m, wall: string, frac: string | undefined) => {
    const ms = Date.parse(`${wall.replace(" ", "T")}${frac ? frac.slice(0, 4) : ""}Z`) + shiftMs;
    const iso = new Date(ms).toISOString().replace("T", " ").replace("Z", "");
    return frac ? `${iso}${frac.slice(4)}`.slice(0, 19 + frac.length) : iso.slice(0, 19);
  });
}

/** The synthetic calls in the portal: one each, finished on the expected user with the expected talk time. */
function portalProblems(emu: B24Emulator): string[] {
  const out: string[] = [];
  for (const name of SYNTHETIC_CEL_NAMES) {
    const want = syntheticCelExpect(name);
    const calls = emu.calls().filter((c) => c.EXTERNAL_CALL_ID === roots.get(name));
    if (calls.length !== 1) {
      out.push(`${name}: ${calls.length} Bitrix24 calls`);
      continue;
    }
    const c = calls[0]!;
    if (!c.finish) {
      out.push(`${name}: registered, never finished`);
      continue;
    }
    const user = Number(c.finish.result.PORTAL_USER_ID ?? c.finish.params.USER_ID);
    if (user !== want.responsible)
      out.push(`${name}: finished on user ${user}, expected ${want.responsible} (${DEMO_USERS.find((u) => u.ID === want.responsible)?.UF_PHONE_INNER})`);
    const duration = Number(c.finish.params.DURATION);
    if (duration < want.talkSeconds.min || duration > want.talkSeconds.max) out.push(`${name}: DURATION ${duration}, expected ${want.talkSeconds.min}..${want.talkSeconds.max}`);
    if (c.TYPE !== (want.direction === "outbound" ? 1 : 2)) out.push(`${name}: TYPE ${c.TYPE}`);
    const code = String(c.finish.params.STATUS_CODE ?? "");
    if ((want.status === "answered") !== (code === "200")) out.push(`${name}: STATUS_CODE ${code}, expected ${want.status}`);
  }
  return out;
}

const counters = (emu: B24Emulator) => (({ callsRegistered, callsFinished, callsDeduplicated }) => ({ callsRegistered, callsFinished, callsDeduplicated }))(emu.stats());

describe.each(kinds)("Asterisk 22 linkedid moves, CEL in %s, reprocessed into an empty portal", (kind, available) => {
  const run = redis && available;
  let stack: Stack;
  let cleanup: () => Promise<void> = async () => {};
  const now = Date.now();

  beforeAll(async () => {
    if (!run) return;
    const shift = now - 2 * DAY - (await firstCelTime(SYNTHETIC_CEL_NAMES, syntheticCelRows));
    let cel: CelConfigInput;
    if (kind === "csv") {
      const dir = await mkdtemp(join(tmpdir(), "ab24-rp22-"));
      cleanup = () => rm(dir, { recursive: true, force: true });
      const joined = async (ext: string) => {
        const texts = await Promise.all(SYNTHETIC_CEL_NAMES.map((n) => readFile(join(SYNTHETIC_CEL_DIR, `${n}.${ext}.csv`), "utf8")));
        const lines = texts.map((t) => t.trim().split("\n"));
        return shiftTimes([lines[0]![0], ...lines.flatMap((l) => l.slice(1))].join("\n") + "\n", shift);
      };
      await writeFile(join(dir, "cel.csv"), await joined("cel"));
      await writeFile(join(dir, "cdr.csv"), await joined("cdr"));
      cel = { type: "csv", csvPath: join(dir, "cel.csv"), cdrCsvPath: join(dir, "cdr.csv"), timezone: "UTC" };
    } else {
      const tag = `rp22_${kind}_${process.pid}_${Date.now().toString(36)}`;
      const loaded = await loadCelTables(kind, tag, await recordingRows(SYNTHETIC_CEL_NAMES, shift, 1, 0, syntheticCelRows));
      cleanup = loaded.drop;
      cel = loaded.config;
    }
    stack = await startStack({
      recordings: [],
      speed: "asap",
      redisUrl: SERVICES.redis.url,
      redisPrefix: uniquePrefix(`rp22-${kind}`),
      logger: silentLogger(),
      limits: false,
      config: { cel, reprocess: { schedule: false } } as never,
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    await cleanup().catch(() => undefined);
  });

  it.runIf(run)(
    "one call each, right responsible and talk time; a second run registers nothing new",
    async () => {
      const period = { from: new Date(now - 7 * DAY).toISOString(), to: new Date(now).toISOString() };
      const first = await reprocessRun(stack.connector, period);
      expect(first.status, first.error).toBe("done");
      expect(portalProblems(stack.emu)).toEqual([]);
      expect(stack.emu.calls()).toHaveLength(SYNTHETIC_CEL_NAMES.length);
      expect(first.counts).toMatchObject({ checked: SYNTHETIC_CEL_NAMES.length, fixed: SYNTHETIC_CEL_NAMES.length, stillWrong: 0 });
      // Every registration is in the ledger, by this run.
      for (const key of roots.values()) expect((await stack.connector.reprocess.ledger.get(key))?.by).toBe(`reprocess:${first.id}`);
      const after = counters(stack.emu);

      const second = await reprocessRun(stack.connector, period);
      expect(second.status).toBe("done");
      expect(second.counts).toEqual({ checked: SYNTHETIC_CEL_NAMES.length, alreadyFine: SYNTHETIC_CEL_NAMES.length, fixed: 0, stillWrong: 0 });
      expect(counters(stack.emu)).toEqual(after);
      expect(stack.emu.calls()).toHaveLength(SYNTHETIC_CEL_NAMES.length);
      expect(duplicates(stack.emu)).toEqual([]);
    },
    300_000,
  );
});

describe("a call an earlier run registered but never finished", async () => {
  const up = (await requireService("redis")) && (await requireService("mariadb"));
  let stack: Stack;
  let drop: () => Promise<void> = async () => {};
  const now = Date.now();
  const name = "synthetic_cel_park_101_parks_102_retrieves";

  beforeAll(async () => {
    if (!up) return;
    const shift = now - 2 * DAY - (await firstCelTime([name], syntheticCelRows));
    const loaded = await loadCelTables("mysql", `rp22_ledger_${process.pid}_${Date.now().toString(36)}`, await recordingRows([name], shift, 1, 0, syntheticCelRows));
    drop = loaded.drop;
    stack = await startStack({
      recordings: [],
      speed: "asap",
      redisUrl: SERVICES.redis.url,
      redisPrefix: uniquePrefix("rp22-ledger"),
      logger: silentLogger(),
      limits: false,
      config: { cel: loaded.config, reprocess: { schedule: false } } as never,
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    await drop().catch(() => undefined);
  });

  it.runIf(up)(
    "is finished on the CALL_ID the ledger holds, not registered again",
    async () => {
      const key = roots.get(name)!;
      // What a run before this fix left: the call registered (on 101), never finished; no live state.
      const reg = await stack.connector.reprocess.gateway.call<{ CALL_ID: string }>("telephony.externalcall.register", {
        USER_ID: 1,
        PHONE_NUMBER: "79161234567",
        TYPE: 2,
        CALL_START_DATE: new Date(now - 2 * DAY).toISOString(),
        LINE_NUMBER: "74951234567",
        SHOW: 0,
        EXTERNAL_CALL_ID: key,
      });
      await stack.connector.reprocess.ledger.record(key, { crmCallId: reg.CALL_ID, source: "register", registeredUserId: 1 }, "reprocess:an-earlier-run");
      const before = stack.emu.stats().callsRegistered;

      const run = await reprocessRun(stack.connector, { from: new Date(now - 7 * DAY).toISOString(), to: new Date(now).toISOString() });
      expect(run.status, run.error).toBe("done");
      expect(run.counts).toMatchObject({ checked: 1, fixed: 1, stillWrong: 0 });
      expect(stack.emu.stats().callsRegistered).toBe(before);
      expect(stack.emu.calls().map((c) => c.CALL_ID)).toEqual([reg.CALL_ID]);
      expect(portalProblems(stack.emu).filter((p) => p.startsWith(name))).toEqual([]);
      expect(duplicates(stack.emu)).toEqual([]);
      const report = await stack.connector.reprocess.report(run.id);
      expect(report?.fixed[0]?.actions).toContain("finished");
    },
    300_000,
  );
});
