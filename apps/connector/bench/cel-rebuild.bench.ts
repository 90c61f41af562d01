/**
 * Calls rebuilt from CEL, no CRM (goal ≥ 5,000 calls/s, so a week of 20,000 calls/day is rebuilt
 * in well under a minute):
 *   cel.rebuild.calls_per_s     CEL rows (already read) → calls grouped by linkedid → each call
 *                               translated and run through the tracker (rebuildCall)
 *   cel.rebuild.calls_per_cpu_s the same per second of CPU the process got (GC included)
 *   cel.rebuild_csv.calls_per_s the same from a cel-custom CSV file (parsing included)
 * Input: the 13 shared recordings' CEL, replayed as CALLS calls with fresh ids, one starting
 * every 200 ms (≈ 100 calls open at once), rows interleaved in time order as in a real table.
 */
import { appendFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { note, printFigure, RECORDINGS_DIR, recordingNames } from "@asterisk-b24/testkit";
import { celCsvTextRows, collect } from "../src/cel/csv-rows.js";
import { CEL_CUSTOM_COLUMNS } from "../src/cel/csv.js";
import { groupCalls } from "../src/cel/group.js";
import { rebuildCall } from "../src/cel/rebuild.js";
import { csvCelSource } from "../src/cel/csv-source.js";
import { rebuildCalls } from "../src/cel/rebuild-calls.js";
import type { CelRow } from "../src/cel/rows.js";

const CALLS = 20_000;
const SPACING_MS = 200;
const CONFIG = { nonCrmQueues: ["support", "601"], nonCrmExtensions: ["501", "502"] };

const names = recordingNames().filter((n) => {
  try {
    readFileSync(join(RECORDINGS_DIR, `${n}.cel.csv`));
    return true;
  } catch {
    return false;
  }
});
const templates: CelRow[][] = [];
for (const n of names) templates.push(await collect(celCsvTextRows(readFileSync(join(RECORDINGS_DIR, `${n}.cel.csv`), "utf8"))));

const ID = /\b\d{10}\.\d+\b/g;
/** Bridge ids are UUIDs, unique per bridge: each copy gets its own (copies sharing one would be one call). */
const BRIDGE = /\b[0-9a-f]{8}-([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/g;
function copyCall(template: CelRow[], i: number, startMs: number): CelRow[] {
  const t0 = template[0]!.eventtime.getTime();
  const epoch = String(1_900_000_000 + i);
  const bridgePrefix = (i >>> 0).toString(16).padStart(8, "0");
  const id = (s: string) => s.replace(ID, (m) => `${epoch}.${m.split(".")[1]}`).replace(BRIDGE, (_m, rest: string) => `${bridgePrefix}-${rest}`);
  return template.map((r) => ({ ...r, eventtime: new Date(startMs + (r.eventtime.getTime() - t0)), uniqueid: id(r.uniqueid), linkedid: id(r.linkedid), extra: id(r.extra) }));
}

const start = Date.UTC(2026, 10, 23, 0, 0, 0);
/** Calls [first, first + n) with fresh ids, their rows interleaved in time order, ids in that order. */
function callRows(first: number, n: number): CelRow[] {
  const rows: CelRow[] = [];
  for (let i = first; i < first + n; i++) rows.push(...copyCall(templates[i % templates.length]!, i, start + i * SPACING_MS));
  rows.sort((a, b) => a.eventtime.getTime() - b.eventtime.getTime());
  rows.forEach((r, k) => (r.id = k + 1));
  return rows;
}
const periodOf = (first: number, n: number) => ({ from: new Date(start + first * SPACING_MS), to: new Date(start + (first + n) * SPACING_MS) });

async function* iterate(list: CelRow[]): AsyncIterable<CelRow> {
  for (const r of list) yield r;
}

/**
 * Rebuilds the calls in periods of CHUNK calls, timing only the rebuild (rows already in memory,
 * as a source streams them; a period's rows are dropped before the next is made, so the heap holds
 * what a streaming run holds, not 300,000 rows).
 */
const CHUNK = 2000;
async function rebuildAll(total: number): Promise<{ calls: number; ms: number; cpuMs: number; rows: number }> {
  let ms = 0;
  let cpuMs = 0;
  let calls = 0;
  let rowCount = 0;
  for (let first = 0; first < total; first += CHUNK) {
    const rows = callRows(first, CHUNK);
    rowCount += rows.length;
    const { from, to } = periodOf(first, CHUNK);
    const t = performance.now();
    const cpu = process.cpuUsage();
    for await (const call of groupCalls(iterate(rows), { from, to, now: to.getTime() + 86_400_000 })) {
      rebuildCall(call.cel, undefined, CONFIG);
      calls++;
    }
    const used = process.cpuUsage(cpu);
    cpuMs += (used.user + used.system) / 1000;
    ms += performance.now() - t;
  }
  return { calls, ms, cpuMs, rows: rowCount };
}

await rebuildAll(CHUNK); // warm-up (JIT)
const best = [await rebuildAll(CALLS), await rebuildAll(CALLS)].sort((a, b) => a.ms - b.ms)[0]!;
if (best.calls !== CALLS) throw new Error(`rebuilt ${best.calls} of ${CALLS} calls`);
note(`rebuilt ${best.calls} calls (${best.rows} CEL rows) in ${best.ms.toFixed(0)} ms, ${best.cpuMs.toFixed(0)} ms of CPU`);
printFigure("cel.rebuild.calls_per_s", (best.calls / best.ms) * 1000, "calls/s");
// The same per second of CPU this process got: on a shared, loaded machine wall time also counts other processes.
printFigure("cel.rebuild.calls_per_cpu_s", (best.calls / best.cpuMs) * 1000, "calls/cpu-s");

// The same from a cel-custom file (no header, every field quoted, as cel_custom.conf writes it).
const dir = await mkdtemp(join(tmpdir(), "ab24-celbench-"));
try {
  const q = (v: unknown) => `"${String(v).replace(/"/g, '""')}"`;
  const csv = join(dir, "Master.csv");
  const line = (r: CelRow) => CEL_CUSTOM_COLUMNS.map((c) => (c === "eventtime" ? q(r.eventtime.toISOString().replace("T", " ").replace("Z", "")) : q(r[c]))).join(",");
  for (let first = 0; first < CALLS; first += CHUNK) await appendFile(csv, callRows(first, CHUNK).map(line).join("\n") + "\n");
  const { from, to } = periodOf(0, CALLS);
  const t = performance.now();
  let calls = 0;
  for await (const _ of rebuildCalls(csvCelSource({ csvPath: csv, timezone: "UTC" }), from, to, CONFIG)) calls++;
  const ms = performance.now() - t;
  if (calls !== CALLS) throw new Error(`rebuilt ${calls} of ${CALLS} calls from CSV`);
  note(`rebuilt ${calls} calls from CSV in ${ms.toFixed(0)} ms`);
  printFigure("cel.rebuild_csv.calls_per_s", (calls / ms) * 1000, "calls/s");
} finally {
  await rm(dir, { recursive: true, force: true });
}
