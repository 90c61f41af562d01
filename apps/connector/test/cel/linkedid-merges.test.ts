/**
 * Must show (issue 20 §4): calls whose channels change linkedid — attended transfer (inbound and
 * outbound), group pickup, park and retrieve — rebuilt from CEL written in Asterisk 22's order
 * (SYNTHETIC fixtures, packages/testkit/fixtures/asterisk-synthetic-cel): the old linkedid's
 * LINKEDID_END comes while the moved channel still talks and its next rows come seconds later
 * under the client's linkedid. Each is ONE call, with the right responsible and talk time, read
 * from rows in memory, from CSV, from MariaDB and from PostgreSQL.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_USERS, SYNTHETIC_CEL_DIR, requireService } from "@asterisk-b24/testkit";
import { openCelSource, rebuildCall, rebuildCalls, type CelConfigInput, type CelSource, type RebuiltCall, celConfigSchema } from "../../src/cel/index.js";
import { groupCalls } from "../../src/cel/group.js";
import type { CdrRow, CelRow } from "../../src/cel/rows.js";
import { LAB_CONFIG } from "../tracker/replay.js";
import { dropCelTables, loadCelTables, MYSQL_URL, POSTGRES_URL, tablePrefix } from "./db.js";
import { SYNTHETIC_CEL_NAMES, syntheticCelExpect, syntheticCelRows } from "./fixtures.js";

const fixtures = await Promise.all(SYNTHETIC_CEL_NAMES.map(async (name) => ({ name, ...(await syntheticCelRows(name)) })));
const rootOf = (cel: CelRow[]) => cel.find((r) => r.eventtype === "CHAN_START" && r.uniqueid === r.linkedid)!;
const second = (ms: number) => Math.floor(ms / 1000) * 1000;
const FROM = new Date(second(Math.min(...fixtures.map((f) => rootOf(f.cel).eventtime.getTime()))));
const TO = new Date(Math.max(...fixtures.map((f) => rootOf(f.cel).eventtime.getTime())) + 1000);
const extOf = (userId: number) => DEMO_USERS.find((u) => u.ID === userId)!.UF_PHONE_INNER;

async function* stream(rows: CelRow[]): AsyncIterable<CelRow> {
  yield* [...rows].sort((a, b) => a.eventtime.getTime() - b.eventtime.getTime());
}

/** What NAME.expect.json says, checked on the rebuilt call ("" when right). */
function mismatches(name: string, call: RebuiltCall): string[] {
  const want = syntheticCelExpect(name);
  const c = call.callFull;
  const out: string[] = [];
  if (c.direction !== want.direction) out.push(`direction ${c.direction}, expected ${want.direction}`);
  const answered = c.answered_extension !== "";
  if (answered !== (want.status === "answered")) out.push(`${answered ? "answered" : "missed"} (result ${c.result}), expected ${want.status}`);
  if (c.answered_extension !== extOf(want.responsible)) out.push(`answered by ${c.answered_extension || "nobody"}, expected ${extOf(want.responsible)}`);
  if (c.talk_seconds < want.talkSeconds.min || c.talk_seconds > want.talkSeconds.max)
    out.push(`talk ${c.talk_seconds} s, expected ${want.talkSeconds.min}..${want.talkSeconds.max}`);
  if (!c.ended || c.merged_into !== null) out.push("the call is not the surviving, ended call");
  return out;
}

/** Another copy of a fixture: new uniqueids/linkedids (+k·100000 s), two-party bridges renamed, times shifted. */
function cloneRows(rows: { cel: CelRow[]; cdr: CdrRow[] }, k: number, shiftMs: number, keepBridges: readonly string[] = []): { cel: CelRow[]; cdr: CdrRow[] } {
  const swap = (text: string) =>
    text
      .replace(/\b(\d{9,10})\.(\d+)\b/g, (_m, s: string, q: string) => `${Number(s) + k * 100_000}.${q}`)
      .replace(/0b1f0c38-0000-4000-8000-(\d{12})/g, (m) => (keepBridges.includes(m) ? m : m.replace("0b1f0c38", `c${String(k).padStart(7, "0")}`)));
  return {
    cel: rows.cel.map((r) => ({
      ...r,
      eventtime: new Date(r.eventtime.getTime() + shiftMs),
      uniqueid: swap(r.uniqueid),
      linkedid: swap(r.linkedid),
      extra: swap(r.extra),
    })),
    cdr: rows.cdr.map((r) => ({ ...r, uniqueid: swap(r.uniqueid), linkedid: swap(r.linkedid) })),
  };
}

describe("Asterisk 22 linkedid moves, rebuilt from CEL rows", () => {
  it("there are the four synthetic flows", () => {
    expect(SYNTHETIC_CEL_NAMES).toEqual([
      "synthetic_cel_group_pickup_103",
      "synthetic_cel_inbound_attended_transfer_101_to_102",
      "synthetic_cel_outbound_attended_transfer_101_to_102",
      "synthetic_cel_park_101_parks_102_retrieves",
    ]);
  });

  for (const f of fixtures) {
    it(`${f.name}: one call, every row, the right responsible and talk time`, async () => {
      const groups = [];
      for await (const g of groupCalls(stream(f.cel), { from: FROM, to: TO, now: TO.getTime() + 3600_000 })) groups.push(g);
      expect(groups.map((g) => g.linkedid)).toEqual([rootOf(f.cel).linkedid]);
      expect(groups[0]!.cel).toHaveLength(f.cel.length);
      const call = rebuildCall(groups[0]!.cel, f.cdr, LAB_CONFIG);
      expect(mismatches(f.name, call)).toEqual([]);
      expect(call.skipped).toBe(0);
    });
  }

  it("the old linkedid's LINKEDID_END while the moved channel still talks does not end the call", async () => {
    const f = fixtures.find((x) => x.name === "synthetic_cel_inbound_attended_transfer_101_to_102")!;
    const early = f.cel.find((r) => r.eventtype === "LINKEDID_END" && r.uniqueid !== r.linkedid)!;
    const later = f.cel.filter((r) => r.uniqueid === early.uniqueid && r.eventtime > early.eventtime);
    // The recorded order: the moved channel's next row is seconds later, under the client's linkedid.
    expect(later[0]!.linkedid).not.toBe(early.linkedid);
    expect(later[0]!.eventtime.getTime() - early.eventtime.getTime()).toBeGreaterThan(5000);
    const groups = [];
    for await (const g of groupCalls(stream(f.cel), { from: FROM, to: TO, graceMs: 100, now: TO.getTime() + 3600_000 })) groups.push(g);
    expect(groups).toHaveLength(1);
  });

  it("every flow at once, overlapping in time, stays four calls", async () => {
    const start = Math.min(...fixtures.map((f) => rootOf(f.cel).eventtime.getTime()));
    const all = fixtures.flatMap((f) => cloneRows(f, 0, start - rootOf(f.cel).eventtime.getTime() + 700 * fixtures.indexOf(f)).cel);
    const calls = new Map<string, RebuiltCall>();
    for await (const g of groupCalls(stream(all), { from: new Date(start - 1000), to: new Date(start + 60_000), now: start + 3600_000 })) {
      calls.set(g.linkedid, rebuildCall(g.cel, undefined, LAB_CONFIG));
    }
    expect(calls.size).toBe(4);
    for (const f of fixtures) expect(mismatches(f.name, calls.get(rootOf(f.cel).linkedid)!), f.name).toEqual([]);
  });

  it("two clients parked at once share the parking lot's holding bridge but stay two calls", async () => {
    const f = fixtures.find((x) => x.name === "synthetic_cel_park_101_parks_102_retrieves")!;
    const lot = JSON.parse(f.cel.find((r) => r.eventtype === "BRIDGE_ENTER" && r.extra.includes("holding_bridge"))!.extra).bridge_id as string;
    const other = cloneRows(f, 1, 4000, [lot]);
    const groups = [];
    for await (const g of groupCalls(stream([...f.cel, ...other.cel]), { from: FROM, to: new Date(TO.getTime() + 10_000), now: TO.getTime() + 3600_000 })) groups.push(g);
    expect(groups.map((g) => g.cel.length)).toEqual([f.cel.length, f.cel.length]);
    for (const g of groups) expect(mismatches(f.name, rebuildCall(g.cel, undefined, LAB_CONFIG))).toEqual([]);
  });
});

function sourceSuite(label: string, config: () => CelConfigInput) {
  let source: CelSource;
  beforeAll(() => {
    source = openCelSource(celConfigSchema.parse(config()));
  });
  afterAll(async () => source?.close());

  it(`${label}: each flow is one call with the right responsible and talk time`, async () => {
    const calls = new Map<string, RebuiltCall>();
    for await (const call of rebuildCalls(source, FROM, TO, LAB_CONFIG)) {
      expect(calls.has(call.linkedid), `${call.linkedid} twice`).toBe(false);
      calls.set(call.linkedid, call);
    }
    expect([...calls.keys()].sort()).toEqual(fixtures.map((f) => rootOf(f.cel).linkedid).sort());
    for (const f of fixtures) expect(mismatches(f.name, calls.get(rootOf(f.cel).linkedid)!), f.name).toEqual([]);
  });
}

describe("Asterisk 22 linkedid moves: CEL in MariaDB", async () => {
  const up = await requireService("mariadb");
  if (!up) return;
  const prefix = tablePrefix("l22my");
  let tables = { table: "", cdrTable: "" };
  beforeAll(async () => {
    tables = await loadCelTables("mysql", prefix, fixtures);
  }, 120_000);
  afterAll(() => dropCelTables("mysql", prefix));
  sourceSuite("mysql", () => ({ type: "mysql", url: MYSQL_URL, ...tables, timezone: "UTC", batchSize: 10 }));
});

describe("Asterisk 22 linkedid moves: CEL in PostgreSQL", async () => {
  const up = await requireService("postgres");
  if (!up) return;
  const prefix = tablePrefix("l22pg");
  let tables = { table: "", cdrTable: "" };
  beforeAll(async () => {
    tables = await loadCelTables("postgres", prefix, fixtures);
  }, 120_000);
  afterAll(() => dropCelTables("postgres", prefix));
  sourceSuite("postgres", () => ({ type: "postgres", url: POSTGRES_URL, ...tables, timezone: "UTC", batchSize: 10 }));
});

describe("Asterisk 22 linkedid moves: CEL in CSV files", () => {
  let dir = "";
  const paths = { cel: "", cdr: "" };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ab24-cel22-"));
    const file = (name: string, ext: string) =>
      readFileSync(join(SYNTHETIC_CEL_DIR, `${name}.${ext}.csv`), "utf8")
        .trim()
        .split("\n");
    const joined = (ext: string) => [file(SYNTHETIC_CEL_NAMES[0]!, ext)[0], ...SYNTHETIC_CEL_NAMES.flatMap((n) => file(n, ext).slice(1))].join("\n") + "\n";
    paths.cel = join(dir, "cel.csv");
    paths.cdr = join(dir, "cdr.csv");
    await writeFile(paths.cel, joined("cel"));
    await writeFile(paths.cdr, joined("cdr"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  sourceSuite("csv", () => ({ type: "csv", csvPath: paths.cel, cdrCsvPath: paths.cdr, timezone: "UTC" }));
});
