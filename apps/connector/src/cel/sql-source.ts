/** CelSource over a CEL (and CDR) table: MariaDB/MySQL or PostgreSQL, Asterisk's own layouts. */
import type { CelSource } from "./types.js";
import { groupCalls, type GroupedCall } from "./group.js";
import { toCdrRow, toCelRow } from "./normalize.js";
import type { CdrRow, CelCallRows, CelRow } from "./rows.js";
import { CelSourceError, type SqlDriver } from "./sql-driver.js";
import { formatWallClock } from "./time.js";
import { sortRows } from "./rebuild.js";

export interface SqlSourceSettings {
  table: string;
  cdrTable: string | null;
  timezone: string;
  batchSize: number;
  /** How far past `to` rows are read for calls that started in the period (default 12 h). */
  maxCallMs?: number;
}

const REQUIRED = ["eventtype", "eventtime", "uniqueid", "linkedid", "channame"];
/** Calls whose CDR rows are fetched in one query. */
const CDR_BATCH = 200;
/** Parameters per IN (…) list. */
const IN_CHUNK = 500;

/** `connection` is the driver, or its promise (connected on first use). */
export function sqlCelSource(connection: SqlDriver | Promise<SqlDriver>, s: SqlSourceSettings): CelSource {
  const maxCall = s.maxCallMs ?? 12 * 3600_000;
  let driver!: SqlDriver;
  let table = "";
  let celColumns: Set<string> | undefined;

  const checkTable = async (): Promise<Set<string>> => {
    if (celColumns) return celColumns;
    driver = await connection;
    table = driver.table(s.table);
    const cols = await driver.columns(s.table);
    const missing = REQUIRED.filter((c) => !cols.has(c));
    if (missing.length > 0) throw new CelSourceError(`CEL table ${s.table} has no column ${missing.join(", ")} (is it Asterisk's cel table?)`);
    celColumns = cols;
    return cols;
  };
  const list = (from: number, n: number) => Array.from({ length: n }, (_, i) => driver.param(from + i)).join(", ");

  async function cdrFor(calls: readonly GroupedCall[]): Promise<Map<GroupedCall, CdrRow[]>> {
    const out = new Map<GroupedCall, CdrRow[]>();
    if (!s.cdrTable) return out;
    const owner = new Map<string, GroupedCall>();
    for (const c of calls) {
      out.set(c, []);
      for (const r of c.cel) owner.set(r.uniqueid, c);
    }
    const uids = [...owner.keys()];
    for (let i = 0; i < uids.length; i += IN_CHUNK) {
      const chunk = uids.slice(i, i + IN_CHUNK);
      const rows = await driver.query(`SELECT * FROM ${driver.table(s.cdrTable)} WHERE uniqueid IN (${list(0, chunk.length)})`, chunk);
      for (const raw of rows) {
        const cdr = toCdrRow(raw, s.timezone);
        const c = owner.get(cdr.uniqueid);
        if (c) out.get(c)!.push(cdr);
      }
    }
    for (const rows of out.values()) rows.sort((a, b) => a.calldate.getTime() - b.calldate.getTime() || a.sequence - b.sequence);
    return out;
  }

  async function* celRows(from: Date, to: Date): AsyncIterable<CelRow> {
    const cols = await checkTable();
    const order = cols.has("id") ? "eventtime, id" : "eventtime";
    const sql = `SELECT * FROM ${table} WHERE eventtime >= ${driver.param(0)} AND eventtime < ${driver.param(1)} ORDER BY ${order}`;
    // Whole seconds: FreePBX's `datetime` columns drop the fraction (rows before `from` are skipped by groupCalls).
    const lower = new Date(Math.floor(from.getTime() / 1000) * 1000);
    const params = [formatWallClock(lower, s.timezone), formatWallClock(new Date(to.getTime() + maxCall), s.timezone)];
    for await (const raw of driver.stream(sql, params, s.batchSize)) yield toCelRow(raw, s.timezone);
  }

  return {
    async *calls(from, to) {
      await checkTable();
      let buffer: GroupedCall[] = [];
      const flush = async function* (): AsyncIterable<CelCallRows> {
        const cdr = await cdrFor(buffer);
        for (const c of buffer) yield { linkedid: c.linkedid, cel: c.cel, cdr: s.cdrTable ? cdr.get(c) : undefined };
        buffer = [];
      };
      for await (const call of groupCalls(celRows(from, to), { from, to, maxCallMs: maxCall })) {
        buffer.push(call);
        if (buffer.length >= CDR_BATCH) yield* flush();
      }
      if (buffer.length > 0) yield* flush();
    },

    async call(linkedid) {
      await checkTable();
      const lids = new Set([linkedid]);
      const uids = new Set<string>();
      const seen = new Map<string, CelRow>();
      let newL = [linkedid];
      let newU: string[] = [];
      // Follow the call through linkedid changes (bridged calls): rows by linkedid, then by uniqueid.
      for (let round = 0; round < 8 && (newL.length > 0 || newU.length > 0); round++) {
        const where: string[] = [];
        const params: string[] = [];
        if (newL.length > 0) {
          where.push(`linkedid IN (${list(0, newL.length)})`);
          params.push(...newL);
        }
        if (newU.length > 0) {
          where.push(`uniqueid IN (${list(params.length, newU.length)})`);
          params.push(...newU);
        }
        const rows = await driver.query(`SELECT * FROM ${table} WHERE ${where.join(" OR ")}`, params);
        newL = [];
        newU = [];
        for (const raw of rows) {
          const r = toCelRow(raw, s.timezone);
          seen.set(r.id !== undefined ? `#${r.id}` : `${r.eventtype}|${r.eventtime.getTime()}|${r.uniqueid}|${r.linkedid}|${r.extra}`, r);
          if (!lids.has(r.linkedid)) {
            lids.add(r.linkedid);
            newL.push(r.linkedid);
          }
          if (!uids.has(r.uniqueid)) {
            uids.add(r.uniqueid);
            newU.push(r.uniqueid);
          }
        }
      }
      if (seen.size === 0) return undefined;
      const cel = sortRows([...seen.values()]);
      const root = cel.find((r) => r.eventtype === "CHAN_START" && r.uniqueid === r.linkedid)?.linkedid ?? linkedid;
      const grouped = { linkedid: root, cel };
      const cdr = s.cdrTable ? (await cdrFor([grouped])).get(grouped) : undefined;
      return { linkedid: root, cel, cdr };
    },

    close: async () => {
      const d = await Promise.resolve(connection).catch(() => undefined);
      await d?.close();
    },
  };
}
