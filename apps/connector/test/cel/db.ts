/**
 * Asterisk's own CEL/CDR tables in real MariaDB and PostgreSQL, filled with the rows of the
 * shared recordings (test helpers; the reprocessing tests use them too).
 *
 * MariaDB: FreePBX's asteriskcdrdb layout (`cel.eventtime datetime` — whole seconds —, `extra`
 * JSON text, `cdr.calldate`, `recordingfile`, `did`). PostgreSQL: the cel_pgsql / cdr_pgsql
 * layout (`eventtime timestamp`, `id serial`).
 */
import type { CdrRow, CelRow } from "../../src/cel/rows.js";

export const MYSQL_URL = "mysql://root@127.0.0.1:3306/test";
export const POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";

export function celTableDdl(dialect: "mysql" | "postgres", table: string): string {
  if (dialect === "mysql")
    return `CREATE TABLE \`${table}\` (
  id int(11) NOT NULL AUTO_INCREMENT,
  eventtype varchar(30) NOT NULL, eventtime datetime NOT NULL,
  cid_name varchar(80) NOT NULL, cid_num varchar(80) NOT NULL, cid_ani varchar(80) NOT NULL,
  cid_rdnis varchar(80) NOT NULL, cid_dnid varchar(80) NOT NULL, exten varchar(80) NOT NULL,
  context varchar(80) NOT NULL, channame varchar(80) NOT NULL, appname varchar(80) NOT NULL,
  appdata varchar(80) NOT NULL, amaflags int(11) NOT NULL, accountcode varchar(20) NOT NULL,
  peeraccount varchar(20) NOT NULL, uniqueid varchar(150) NOT NULL, linkedid varchar(150) NOT NULL,
  userfield varchar(255) NOT NULL, peer varchar(80) NOT NULL, userdeftype varchar(255) NOT NULL DEFAULT '',
  extra varchar(512) NOT NULL DEFAULT '',
  PRIMARY KEY (id), KEY uniqueid_index (uniqueid), KEY linkedid_index (linkedid), KEY eventtime_index (eventtime)
) DEFAULT CHARSET=utf8mb4`;
  return `CREATE TABLE "${table}" (
  id serial PRIMARY KEY,
  eventtype varchar(30) NOT NULL, eventtime timestamp NOT NULL, userdeftype varchar(255) NOT NULL DEFAULT '',
  cid_name varchar(80) NOT NULL, cid_num varchar(80) NOT NULL, cid_ani varchar(80) NOT NULL,
  cid_rdnis varchar(80) NOT NULL, cid_dnid varchar(80) NOT NULL, exten varchar(80) NOT NULL,
  context varchar(80) NOT NULL, channame varchar(80) NOT NULL, appname varchar(80) NOT NULL,
  appdata varchar(512) NOT NULL, amaflags int NOT NULL, accountcode varchar(20) NOT NULL,
  peeraccount varchar(20) NOT NULL, uniqueid varchar(150) NOT NULL, linkedid varchar(150) NOT NULL,
  userfield varchar(255) NOT NULL, peer varchar(80) NOT NULL, extra text NOT NULL DEFAULT ''
)`;
}

export function cdrTableDdl(dialect: "mysql" | "postgres", table: string): string {
  const q = dialect === "mysql" ? "`" : '"';
  const time = dialect === "mysql" ? "datetime" : "timestamp";
  return `CREATE TABLE ${q}${table}${q} (
  calldate ${time} NOT NULL, clid varchar(80) NOT NULL, src varchar(80) NOT NULL, dst varchar(80) NOT NULL,
  dcontext varchar(80) NOT NULL, channel varchar(80) NOT NULL, dstchannel varchar(80) NOT NULL,
  lastapp varchar(80) NOT NULL, lastdata varchar(80) NOT NULL, duration int NOT NULL, billsec int NOT NULL,
  disposition varchar(45) NOT NULL, amaflags int NOT NULL, accountcode varchar(20) NOT NULL,
  uniqueid varchar(32) NOT NULL, userfield varchar(255) NOT NULL, did varchar(50) NOT NULL DEFAULT '',
  recordingfile varchar(255) NOT NULL DEFAULT '', cnum varchar(80) NOT NULL DEFAULT '', cnam varchar(80) NOT NULL DEFAULT '',
  outbound_cnum varchar(80) NOT NULL DEFAULT '', outbound_cnam varchar(80) NOT NULL DEFAULT '', dst_cnam varchar(80) NOT NULL DEFAULT '',
  linkedid varchar(32) NOT NULL DEFAULT '', peeraccount varchar(80) NOT NULL DEFAULT '', sequence int NOT NULL DEFAULT 0
)`;
}

const CEL_COLUMNS = [
  "eventtype",
  "eventtime",
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
  "amaflags",
  "accountcode",
  "peeraccount",
  "uniqueid",
  "linkedid",
  "userfield",
  "peer",
  "userdeftype",
  "extra",
] as const;
const CDR_COLUMNS = [
  "calldate",
  "clid",
  "src",
  "dst",
  "dcontext",
  "channel",
  "dstchannel",
  "lastapp",
  "lastdata",
  "duration",
  "billsec",
  "disposition",
  "amaflags",
  "accountcode",
  "uniqueid",
  "userfield",
  "did",
  "recordingfile",
  "linkedid",
  "peeraccount",
  "sequence",
] as const;

/** "YYYY-MM-DD HH:MM:SS.ffffff" in UTC (the lab PBX's clock); MariaDB `datetime` keeps the seconds. */
const wall = (d: Date): string => d.toISOString().replace("T", " ").replace("Z", "");

export function celValues(r: CelRow): unknown[] {
  return CEL_COLUMNS.map((c) => (c === "eventtime" ? wall(r.eventtime) : r[c]));
}
/** CDR amaflags are an int in the tables; CSV files spell them out. */
const AMA: Record<string, number> = { OMIT: 1, BILLING: 2, DOCUMENTATION: 3 };
export function cdrValues(r: CdrRow): unknown[] {
  return CDR_COLUMNS.map((c) => (c === "calldate" ? wall(r.calldate) : c === "amaflags" ? (AMA[r.amaflags] ?? (Number(r.amaflags) || 0)) : r[c]));
}

export function insertSql(dialect: "mysql" | "postgres", table: string, kind: "cel" | "cdr"): string {
  const cols = kind === "cel" ? CEL_COLUMNS : CDR_COLUMNS;
  const q = dialect === "mysql" ? "`" : '"';
  const params = cols.map((_, i) => (dialect === "mysql" ? "?" : `$${i + 1}`)).join(", ");
  return `INSERT INTO ${q}${table}${q} (${cols.join(", ")}) VALUES (${params})`;
}

/** Runs `sql` with `params` on a fresh connection to the test database. */
export async function withDb<T>(dialect: "mysql" | "postgres", fn: (exec: (sql: string, params?: unknown[]) => Promise<void>) => Promise<T>): Promise<T> {
  if (dialect === "mysql") {
    const mysql = await import("mysql2/promise");
    const conn = await mysql.createConnection({ uri: MYSQL_URL });
    try {
      return await fn(async (sql, params = []) => {
        await conn.query(sql, params);
      });
    } finally {
      await conn.end();
    }
  }
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await fn(async (sql, params = []) => {
      await client.query(sql, params);
    });
  } finally {
    await client.end();
  }
}

/** Creates `<prefix>_cel` / `<prefix>_cdr` and inserts the rows (in order: ids follow it). */
export async function loadCelTables(
  dialect: "mysql" | "postgres",
  prefix: string,
  calls: ReadonlyArray<{ cel: CelRow[]; cdr: CdrRow[] }>,
): Promise<{ table: string; cdrTable: string }> {
  const table = `${prefix}_cel`;
  const cdrTable = `${prefix}_cdr`;
  await withDb(dialect, async (exec) => {
    await exec(celTableDdl(dialect, table));
    await exec(cdrTableDdl(dialect, cdrTable));
    for (const call of calls) {
      for (const r of call.cel) await exec(insertSql(dialect, table, "cel"), celValues(r));
      for (const r of call.cdr) await exec(insertSql(dialect, cdrTable, "cdr"), cdrValues(r));
    }
  });
  return { table, cdrTable };
}

export async function dropCelTables(dialect: "mysql" | "postgres", prefix: string): Promise<void> {
  const q = dialect === "mysql" ? "`" : '"';
  await withDb(dialect, async (exec) => {
    await exec(`DROP TABLE IF EXISTS ${q}${prefix}_cel${q}`);
    await exec(`DROP TABLE IF EXISTS ${q}${prefix}_cdr${q}`);
  });
}

/** A table-name-safe unique prefix. */
export function tablePrefix(label: string): string {
  return `t_${label}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
}
