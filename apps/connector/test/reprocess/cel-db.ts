/**
 * Test helpers: the shared recordings' CEL and CDR rows written into real MariaDB / PostgreSQL
 * tables with Asterisk's own layouts (FreePBX asteriskcdrdb.cel / cdr, cel_pgsql / cdr_pgsql), times
 * shifted by a constant so the calls fall in the period a test reprocesses, and optionally cloned
 * (new uniqueids/linkedids) for volume.
 */
import type { CelConfigInput } from "../../src/cel/index.js";
import type { CdrRow, CelRow } from "../../src/cel/rows.js";
import { fixtureRows } from "../cel/fixtures.js";

export type DbKind = "mysql" | "postgres";

export const DB_URL: Record<DbKind, string> = {
  mysql: "mysql://root@127.0.0.1:3306/test",
  postgres: "postgres://postgres@127.0.0.1:5432/test",
};

const CEL_TEXT = [
  "eventtype",
  "cid_name",
  "cid_num",
  "cid_ani",
  "cid_rdnis",
  "cid_dnid",
  "exten",
  "context",
  "channame",
  "appname",
  "appdata",
  "accountcode",
  "peeraccount",
  "uniqueid",
  "linkedid",
  "userfield",
  "peer",
  "extra",
] as const;
const CDR_TEXT = [
  "clid",
  "src",
  "dst",
  "dcontext",
  "channel",
  "dstchannel",
  "lastapp",
  "lastdata",
  "disposition",
  "accountcode",
  "uniqueid",
  "userfield",
  "did",
  "recordingfile",
  "cnum",
  "cnam",
  "outbound_cnum",
  "linkedid",
  "peeraccount",
] as const;

function wall(d: Date): string {
  return d.toISOString().replace("T", " ").replace("Z", "").padEnd(26, "0");
}

interface Rows {
  cel: CelRow[];
  cdr: CdrRow[];
}

/** The earliest CEL time of these recordings (ms). */
export async function firstCelTime(names: readonly string[], load: RowLoader = fixtureRows): Promise<number> {
  let first = Infinity;
  for (const n of names) for (const r of (await load(n)).cel) first = Math.min(first, r.eventtime.getTime());
  return first;
}

/** Where a recording's rows come from (default: the shared real recordings). */
export type RowLoader = (name: string) => Promise<Rows>;

/** Rows of recordings, times shifted by `shiftMs`; clone k > 0 gets new ids (seconds prefix + k·100000) and bridge ids. */
export async function recordingRows(names: readonly string[], shiftMs: number, clones = 1, cloneSpacingMs = 0, load: RowLoader = fixtureRows): Promise<Rows> {
  const out: Rows = { cel: [], cdr: [] };
  for (const name of names) {
    const base = await load(name);
    for (let k = 0; k < clones; k++) {
      const ids = new Map<string, string>();
      const idOf = (id: string) => {
        if (!id || k === 0) return id;
        let v = ids.get(id);
        if (!v) {
          const [secs, seq] = id.split(".");
          v = `${Number(secs) + k * 100_000}.${seq ?? "0"}`;
          ids.set(id, v);
        }
        return v;
      };
      // Bridge ids are UUIDs, unique per bridge: a clone sharing them would rightly be one call with the original.
      const bridgePrefix = k.toString(16).padStart(8, "0");
      const swap = (text: string) =>
        k === 0
          ? text
          : text
              .replace(/\b\d{9,10}\.\d+\b/g, (m) => idOf(m))
              .replace(/\b[0-9a-f]{8}-([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/g, (_m, rest: string) => `${bridgePrefix}-${rest}`);
      const dt = shiftMs + k * cloneSpacingMs;
      for (const r of base.cel) {
        const row = { ...r, eventtime: new Date(r.eventtime.getTime() + dt) } as CelRow;
        for (const c of CEL_TEXT) (row as unknown as Record<string, string>)[c] = swap(String(r[c] ?? ""));
        out.cel.push(row);
      }
      for (const r of base.cdr) {
        const row = {
          ...r,
          calldate: new Date(r.calldate.getTime() + dt),
          answer: r.answer ? new Date(r.answer.getTime() + dt) : null,
          end: r.end ? new Date(r.end.getTime() + dt) : null,
        } as CdrRow;
        for (const c of CDR_TEXT) (row as unknown as Record<string, string>)[c] = swap(String(r[c] ?? ""));
        out.cdr.push(row);
      }
    }
  }
  return out;
}

const CEL_DDL = (t: string, kind: DbKind) =>
  kind === "mysql"
    ? `CREATE TABLE ${t} (id INT AUTO_INCREMENT PRIMARY KEY, eventtype VARCHAR(30) NOT NULL, eventtime DATETIME(6) NOT NULL, cid_name VARCHAR(80), cid_num VARCHAR(80), cid_ani VARCHAR(80), cid_rdnis VARCHAR(80), cid_dnid VARCHAR(80), exten VARCHAR(80), context VARCHAR(80), channame VARCHAR(80), appname VARCHAR(80), appdata VARCHAR(512), amaflags INT, accountcode VARCHAR(80), peeraccount VARCHAR(80), uniqueid VARCHAR(150), linkedid VARCHAR(150), userfield VARCHAR(255), peer VARCHAR(80), extra VARCHAR(1024), INDEX (eventtime), INDEX (linkedid))`
    : `CREATE TABLE ${t} (id SERIAL PRIMARY KEY, eventtype VARCHAR(30) NOT NULL, eventtime TIMESTAMP NOT NULL, cid_name VARCHAR(80), cid_num VARCHAR(80), cid_ani VARCHAR(80), cid_rdnis VARCHAR(80), cid_dnid VARCHAR(80), exten VARCHAR(80), context VARCHAR(80), channame VARCHAR(80), appname VARCHAR(80), appdata VARCHAR(512), amaflags INT, accountcode VARCHAR(80), peeraccount VARCHAR(80), uniqueid VARCHAR(150), linkedid VARCHAR(150), userfield VARCHAR(255), peer VARCHAR(80), extra VARCHAR(1024)); CREATE INDEX ON ${t} (eventtime); CREATE INDEX ON ${t} (linkedid)`;

const CDR_DDL = (t: string, kind: DbKind) =>
  `CREATE TABLE ${t} (calldate ${kind === "mysql" ? "DATETIME" : "TIMESTAMP"} NOT NULL, clid VARCHAR(80), src VARCHAR(80), dst VARCHAR(80), dcontext VARCHAR(80), channel VARCHAR(80), dstchannel VARCHAR(80), lastapp VARCHAR(80), lastdata VARCHAR(80), duration INT, billsec INT, disposition VARCHAR(45), amaflags INT, accountcode VARCHAR(20), uniqueid VARCHAR(150), userfield VARCHAR(255), did VARCHAR(50), recordingfile VARCHAR(255), cnum VARCHAR(80), cnam VARCHAR(80), outbound_cnum VARCHAR(80), linkedid VARCHAR(150), peeraccount VARCHAR(80), sequence INT)`;

async function exec(kind: DbKind, statements: Array<[string, unknown[]]>): Promise<void> {
  if (kind === "mysql") {
    const mysql = await import("mysql2/promise");
    const conn = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root", database: "test" });
    try {
      for (const [sql, params] of statements) await conn.query(sql, params);
    } finally {
      await conn.end();
    }
    return;
  }
  const { default: pg } = await import("pg");
  const client = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "test" });
  await client.connect();
  try {
    for (const [sql, params] of statements) {
      let i = 0;
      await client.query(
        sql.replace(/\?/g, () => `$${++i}`),
        params,
      );
    }
  } finally {
    await client.end();
  }
}

function inserts(kind: DbKind, table: string, columns: readonly string[], rows: unknown[][]): Array<[string, unknown[]]> {
  const out: Array<[string, unknown[]]> = [];
  const chunk = 200;
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const values = part.map(() => `(${columns.map(() => "?").join(", ")})`).join(", ");
    out.push([`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${values}`, part.flat()]);
  }
  return out;
}

/** Creates `cel_<tag>` and `cdr_<tag>` with the rows; returns the connector's `cel` section and a drop(). */
export async function loadCelTables(kind: DbKind, tag: string, rows: Rows): Promise<{ config: CelConfigInput; drop: () => Promise<void> }> {
  const cel = `cel_${tag}`;
  const cdr = `cdr_${tag}`;
  const celCols = ["eventtype", "eventtime", ...CEL_TEXT.filter((c) => c !== "eventtype"), "amaflags"];
  const celRows = [...rows.cel]
    .sort((a, b) => a.eventtime.getTime() - b.eventtime.getTime() || (a.id ?? 0) - (b.id ?? 0))
    .map((r) => celCols.map((c) => (c === "eventtime" ? wall(r.eventtime) : c === "amaflags" ? r.amaflags : (r as unknown as Record<string, unknown>)[c])));
  const cdrCols = ["calldate", ...CDR_TEXT, "duration", "billsec", "amaflags", "sequence"];
  const cdrRows = rows.cdr.map((r) =>
    cdrCols.map((c) => (c === "calldate" ? wall(r.calldate).slice(0, 19) : c === "amaflags" ? Number(r.amaflags) || 3 : (r as unknown as Record<string, unknown>)[c])),
  );
  const drop = async () =>
    exec(kind, [
      [`DROP TABLE IF EXISTS ${cel}`, []],
      [`DROP TABLE IF EXISTS ${cdr}`, []],
    ]);
  await drop();
  const ddl = (sql: string): Array<[string, unknown[]]> => sql.split("; ").map((s) => [s, []]);
  await exec(kind, [...ddl(CEL_DDL(cel, kind)), ...ddl(CDR_DDL(cdr, kind)), ...inserts(kind, cel, celCols, celRows), ...inserts(kind, cdr, cdrCols, cdrRows)]);
  return { config: { type: kind, url: DB_URL[kind], table: cel, cdrTable: cdr, timezone: "UTC" }, drop };
}
