import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileNamedQuery, createDbRecordingLookup, type RecordingLookup } from "../../src/recordings/db-lookup.js";
import { RecordingLookupError } from "../../src/recordings/errors.js";
import { serviceAvailable, uniqueName } from "./helpers.js";

describe("compileNamedQuery", () => {
  it("? style repeats values in placeholder order", () => {
    expect(compileNamedQuery("SELECT f FROM t WHERE u = :uniqueid OR l = :linkedid OR u2 = :uniqueid", "?")).toEqual({
      text: "SELECT f FROM t WHERE u = ? OR l = ? OR u2 = ?",
      names: ["uniqueid", "linkedid", "uniqueid"],
    });
  });
  it("$n style reuses numbers", () => {
    expect(compileNamedQuery("SELECT f FROM t WHERE u = :uniqueid OR l = :linkedid OR u2 = :uniqueid", "$n")).toEqual({
      text: "SELECT f FROM t WHERE u = $1 OR l = $2 OR u2 = $1",
      names: ["uniqueid", "linkedid"],
    });
  });
  it("skips strings, comments and ::casts", () => {
    const sql = "SELECT ':uniqueid', \"a:b\", x::text -- :nope\n/* :nope */ FROM t WHERE l = :linkedid AND s = 'it''s :x'";
    expect(compileNamedQuery(sql, "$n")).toEqual({
      text: "SELECT ':uniqueid', \"a:b\", x::text -- :nope\n/* :nope */ FROM t WHERE l = $1 AND s = 'it''s :x'",
      names: ["linkedid"],
    });
  });
  it("unknown parameters are a config error", () => {
    expect(() => compileNamedQuery("SELECT 1 WHERE a = :callid", "?")).toThrow(RecordingLookupError);
  });
});

const ROWS: Array<[string, string, string]> = [
  // uniqueid, linkedid, path
  ["1773130779.101", "1773130779.100", "2026/03/07/in-101-79161234567-20260307-102030-1773130779.101.wav"],
  ["1773130780.200", "1773130780.200", ""],
  ["1773130781.300", "1773130781.300", "/mnt/records/out-300.wav"],
];

const mysqlUp = await serviceAvailable("MariaDB", "127.0.0.1", 3306);

describe.skipIf(!mysqlUp)("external DB lookup: MariaDB (real)", () => {
  const table = uniqueName("rec");
  const connection = { host: "127.0.0.1", port: 3306, user: "root", database: "test" };
  let admin: import("mysql2/promise").Connection;
  let lookup: RecordingLookup;

  beforeAll(async () => {
    const mysql = await import("mysql2/promise");
    admin = await mysql.createConnection(connection);
    await admin.query(`CREATE TABLE \`${table}\` (uniqueid VARCHAR(32), linkedid VARCHAR(32), recordingfile VARCHAR(255), calldate DATETIME)`);
    for (const [u, l, p] of ROWS) {
      await admin.execute(`INSERT INTO \`${table}\` VALUES (?, ?, ?, NOW())`, [u, l, p]);
    }
    lookup = await createDbRecordingLookup({
      driver: "mysql",
      connection,
      query: `SELECT recordingfile FROM \`${table}\` WHERE (uniqueid = :uniqueid OR linkedid = :linkedid) AND recordingfile <> '' ORDER BY calldate DESC LIMIT 1`,
    });
  });
  afterAll(async () => {
    await lookup?.close();
    await admin?.query(`DROP TABLE IF EXISTS \`${table}\``);
    await admin?.end();
  });

  it("finds by uniqueid and by linkedid", async () => {
    expect(await lookup.find({ uniqueid: "1773130779.101" })).toBe(ROWS[0]![2]);
    expect(await lookup.find({ uniqueid: "nope", linkedid: "1773130779.100" })).toBe(ROWS[0]![2]);
    expect(await lookup.find({ uniqueid: "1773130781.300" })).toBe("/mnt/records/out-300.wav");
  });
  it("no row / empty path → undefined", async () => {
    expect(await lookup.find({ uniqueid: "1773130780.200" })).toBeUndefined();
    expect(await lookup.find({ uniqueid: "0" })).toBeUndefined();
  });
  it("a value with quotes is a parameter, never SQL", async () => {
    expect(await lookup.find({ uniqueid: "x' OR '1'='1" })).toBeUndefined();
  });
  it("a URL connection and an explicit column", async () => {
    const byUrl = await createDbRecordingLookup({
      driver: "mysql",
      connection: "mysql://root@127.0.0.1:3306/test",
      query: `SELECT uniqueid, recordingfile AS path FROM \`${table}\` WHERE linkedid = :linkedid`,
      column: "path",
    });
    try {
      expect(await byUrl.find({ uniqueid: "1773130781.300" })).toBe("/mnt/records/out-300.wav");
    } finally {
      await byUrl.close();
    }
  });
  it("SQL errors are RecordingLookupError", async () => {
    const bad = await createDbRecordingLookup({ driver: "mysql", connection, query: "SELECT nope FROM no_such_table_ab24 WHERE a = :uniqueid" });
    try {
      await expect(bad.find({ uniqueid: "1" })).rejects.toBeInstanceOf(RecordingLookupError);
    } finally {
      await bad.close();
    }
  });
});

const pgUp = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);

describe.skipIf(!pgUp)("external DB lookup: PostgreSQL (real)", () => {
  const table = uniqueName("rec");
  const connection = { host: "127.0.0.1", port: 5432, user: "postgres", database: "test" };
  let admin: import("pg").Client;
  let lookup: RecordingLookup;

  beforeAll(async () => {
    const pg = (await import("pg")).default;
    admin = new pg.Client(connection);
    await admin.connect();
    await admin.query(`CREATE TABLE "${table}" (uniqueid text, linkedid text, recordingfile text, calldate timestamptz)`);
    for (const [u, l, p] of ROWS) {
      await admin.query(`INSERT INTO "${table}" VALUES ($1, $2, $3, now())`, [u, l, p]);
    }
    lookup = await createDbRecordingLookup({
      driver: "postgres",
      connection,
      query: `SELECT recordingfile::text FROM "${table}" WHERE (uniqueid = :uniqueid OR linkedid = :linkedid) AND recordingfile <> '' ORDER BY calldate DESC LIMIT 1`,
    });
  });
  afterAll(async () => {
    await lookup?.close();
    await admin?.query(`DROP TABLE IF EXISTS "${table}"`);
    await admin?.end();
  });

  it("finds by uniqueid and by linkedid", async () => {
    expect(await lookup.find({ uniqueid: "1773130779.101" })).toBe(ROWS[0]![2]);
    expect(await lookup.find({ uniqueid: "nope", linkedid: "1773130779.100" })).toBe(ROWS[0]![2]);
  });
  it("no row / empty path → undefined; quotes are data", async () => {
    expect(await lookup.find({ uniqueid: "1773130780.200" })).toBeUndefined();
    expect(await lookup.find({ uniqueid: "x' OR '1'='1" })).toBeUndefined();
  });
  it("a URL connection", async () => {
    const byUrl = await createDbRecordingLookup({
      driver: "postgres",
      connection: "postgres://postgres@127.0.0.1:5432/test",
      query: `SELECT recordingfile FROM "${table}" WHERE uniqueid = :uniqueid`,
    });
    try {
      expect(await byUrl.find({ uniqueid: "1773130781.300" })).toBe("/mnt/records/out-300.wav");
    } finally {
      await byUrl.close();
    }
  });
  it("SQL errors are RecordingLookupError", async () => {
    const bad = await createDbRecordingLookup({ driver: "postgres", connection, query: "SELECT nope FROM no_such_table_ab24 WHERE a = :uniqueid" });
    try {
      await expect(bad.find({ uniqueid: "1" })).rejects.toBeInstanceOf(RecordingLookupError);
    } finally {
      await bad.close();
    }
  });
});
