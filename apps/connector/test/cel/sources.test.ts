import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireService } from "@asterisk-b24/testkit";
import { openCelSource, rebuildCalls, type CelConfigInput, type CelSource, type RebuiltCall, celConfigSchema } from "../../src/cel/index.js";
import { collect } from "../../src/cel/csv-rows.js";
import { CEL_CUSTOM_COLUMNS } from "../../src/cel/csv.js";
import type { CelRow } from "../../src/cel/rows.js";
import { LAB_CONFIG, onlyCall, replayRecording } from "../tracker/replay.js";
import { dropCelTables, loadCelTables, MYSQL_URL, POSTGRES_URL, tablePrefix } from "./db.js";
import { CEL_NAMES, celText, cdrText, fixtureRows } from "./fixtures.js";
import { crmOutcome } from "./outcome.js";

const fixtures = await Promise.all(CEL_NAMES.map(async (name) => ({ name, ...(await fixtureRows(name)) })));
const rootOf = (cel: CelRow[]) => cel.find((r) => r.eventtype === "CHAN_START" && r.uniqueid === r.linkedid)!;
const startOf = (name: string) => rootOf(fixtures.find((f) => f.name === name)!.cel).eventtime;
/** Periods in whole seconds: MariaDB's `datetime` (FreePBX) keeps no fraction. */
const second = (ms: number) => Math.floor(ms / 1000) * 1000;
const allFrom = new Date(second(Math.min(...fixtures.map((f) => rootOf(f.cel).eventtime.getTime()))));
const allTo = new Date(Math.max(...fixtures.map((f) => rootOf(f.cel).eventtime.getTime())) + 1000);

async function rebuiltByLinkedid(source: CelSource, from: Date, to: Date): Promise<Map<string, RebuiltCall>> {
  const out = new Map<string, RebuiltCall>();
  for await (const call of rebuildCalls(source, from, to, LAB_CONFIG)) out.set(call.linkedid, call);
  return out;
}

/** Every recording read back through `config` gives the live call's CRM outcome; the period is honoured. */
function sourceSuite(label: string, config: () => CelConfigInput) {
  let source: CelSource;
  beforeAll(() => {
    source = openCelSource(celConfigSchema.parse(config()));
  });
  afterAll(async () => source?.close());

  it(`${label}: every recording's call, complete, with the live outcome`, async () => {
    const calls = await rebuiltByLinkedid(source, allFrom, allTo);
    expect(calls.size).toBe(fixtures.length);
    for (const f of fixtures) {
      const call = calls.get(rootOf(f.cel).linkedid);
      expect(call, f.name).toBeDefined();
      const live = onlyCall(replayRecording(f.name));
      expect(crmOutcome(call!.callFull), f.name).toEqual(crmOutcome(live));
      expect(Math.abs(call!.callFull.talk_seconds - live.talk_seconds), f.name).toBeLessThanOrEqual(1);
      expect(call!.recordingFile, f.name).toBe(f.cdr.find((r) => r.recordingfile)?.recordingfile ?? "");
    }
  });

  it(`${label}: a call that starts in the period is read whole past its end; one that starts before is not taken`, async () => {
    const name = "15_inbound_hold_long_call"; // 38 s
    const start = startOf(name);
    const inside = await rebuiltByLinkedid(source, new Date(second(start.getTime()) - 1000), new Date(start.getTime() + 5000));
    const lid = rootOf(fixtures.find((f) => f.name === name)!.cel).linkedid;
    expect([...inside.keys()]).toEqual([lid]);
    expect(crmOutcome(inside.get(lid)!.callFull)).toEqual(crmOutcome(onlyCall(replayRecording(name))));
    expect(inside.get(lid)!.callFull.talk_seconds).toBeGreaterThanOrEqual(34);
    const after = await rebuiltByLinkedid(source, new Date(start.getTime() + 5000), new Date(start.getTime() + 10_000));
    expect(after.has(lid)).toBe(false);
  });

  it(`${label}: one call by linkedid`, async () => {
    const f = fixtures.find((x) => x.name === "09_inbound_blind_transfer_101_to_102")!;
    const rows = await source.call(rootOf(f.cel).linkedid);
    expect(rows?.cel.length).toBe(f.cel.length);
    expect(rows?.cdr?.length).toBe(f.cdr.length);
    expect(await source.call("1.000")).toBeUndefined();
  });
}

describe("CEL source: MariaDB (FreePBX asteriskcdrdb layout)", async () => {
  const up = await requireService("mariadb");
  if (!up) return;
  const prefix = tablePrefix("mycel");
  let tables = { table: "", cdrTable: "" };
  beforeAll(async () => {
    tables = await loadCelTables("mysql", prefix, fixtures);
  }, 120_000);
  afterAll(() => dropCelTables("mysql", prefix));
  sourceSuite("mysql", () => ({ type: "mysql", url: MYSQL_URL, ...tables, timezone: "UTC", batchSize: 10 }));
});

describe("CEL source: PostgreSQL (cel_pgsql layout)", async () => {
  const up = await requireService("postgres");
  if (!up) return;
  const prefix = tablePrefix("pgcel");
  let tables = { table: "", cdrTable: "" };
  beforeAll(async () => {
    tables = await loadCelTables("postgres", prefix, fixtures);
  }, 120_000);
  afterAll(() => dropCelTables("postgres", prefix));
  sourceSuite("postgres", () => ({ type: "postgres", url: POSTGRES_URL, ...tables, timezone: "UTC", batchSize: 10 }));
});

describe("CEL source: CSV", () => {
  let dir = "";
  const paths = { withHeader: "", noHeader: "", cdr: "" };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ab24-celcsv-"));
    // cel-custom with a header row (the shared files' layout) and Master.csv of CDR.
    const bodies = CEL_NAMES.map((n) => celText(n).split("\n").slice(1).join("\n").trim());
    paths.withHeader = join(dir, "cel-header.csv");
    await writeFile(paths.withHeader, celText(CEL_NAMES[0]!).split("\n")[0] + "\n" + bodies.join("\n") + "\n");
    const cdrBodies = CEL_NAMES.map((n) => cdrText(n).split("\n").slice(1).join("\n").trim());
    paths.cdr = join(dir, "cdr.csv");
    await writeFile(paths.cdr, cdrText(CEL_NAMES[0]!).split("\n")[0] + "\n" + cdrBodies.join("\n") + "\n");
    // cel-custom as the sample cel_custom.conf writes it: no header, every field quoted, epoch eventtime.
    const q = (v: unknown) => `"${String(v).replace(/"/g, '""')}"`;
    const lines = fixtures.flatMap((f) => f.cel.map((r) => CEL_CUSTOM_COLUMNS.map((c) => (c === "eventtime" ? q((r.eventtime.getTime() / 1000).toFixed(6)) : q(r[c]))).join(",")));
    paths.noHeader = join(dir, "Master.csv");
    await writeFile(paths.noHeader, lines.join("\r\n") + "\r\n");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  describe("with a header", () => sourceSuite("csv", () => ({ type: "csv", csvPath: paths.withHeader, cdrCsvPath: paths.cdr })));
  describe("without a header (cel_custom.conf sample order)", () => sourceSuite("csv-no-header", () => ({ type: "csv", csvPath: paths.noHeader, cdrCsvPath: paths.cdr })));

  it("a broken time names the file and record", async () => {
    const bad = join(dir, "bad.csv");
    await writeFile(bad, '"CHAN_START","yesterday","a","1"\n');
    const source = openCelSource(celConfigSchema.parse({ type: "csv", csvPath: bad }));
    await expect(collect(source.calls(allFrom, allTo))).rejects.toThrow(/bad\.csv: record 1: not a CEL\/CDR time: "yesterday"/);
  });
});

describe("cel config", () => {
  it("names the wrong key", () => {
    const r = celConfigSchema.safeParse({ type: "mysql", table: "cel; DROP TABLE x" });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join("."));
    expect(paths).toContain("url");
    expect(paths).toContain("table");
  });
  it("an unknown time zone is refused when the source is opened", () => {
    expect(() => openCelSource(celConfigSchema.parse({ type: "csv", csvPath: "/x", timezone: "Mars/Olympus" }))).toThrow(/unknown time zone/);
  });
});
