/**
 * PostgreSQL (cel_pgsql, cel_odbc/cdr_adaptive_odbc layouts) through pg. Timestamps are read as
 * text (the driver would otherwise read zone-less timestamps in the process's zone); the session
 * zone is the configured one so zone-less bounds compare right against timestamptz columns.
 * Streaming uses a server-side cursor on its own connection.
 */
import { CelSourceError, quoteIdent, sessionOffset, type SqlDriver } from "./sql-driver.js";
import type { RawRow } from "./normalize.js";

const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;

export async function postgresDriver(url: string, zone: string): Promise<SqlDriver> {
  const pg = (await import("pg")).default;
  const types = {
    getTypeParser: ((oid: number, format?: "text" | "binary") =>
      oid === TIMESTAMP || oid === TIMESTAMPTZ ? (v: string) => v : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
  };
  const fail = (err: unknown): CelSourceError =>
    err instanceof CelSourceError ? err : new CelSourceError(`PostgreSQL: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  const connect = async (): Promise<import("pg").Client> => {
    const client = new pg.Client({ connectionString: url, types, connectionTimeoutMillis: 10_000 });
    client.on("error", () => undefined);
    try {
      await client.connect();
      const offset = sessionOffset(zone);
      if (offset) await client.query(`SET TIME ZONE INTERVAL '${offset}' HOUR TO MINUTE`);
      else await client.query(`SET TIME ZONE '${zone.replace(/'/g, "''")}'`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw fail(err);
    }
    return client;
  };
  const main = await connect();
  return {
    dialect: "postgres",
    param: (i) => `$${i + 1}`,
    table: (name) => quoteIdent(name, '"'),
    async columns(table) {
      const r = await main.query(`SELECT * FROM ${quoteIdent(table, '"')} LIMIT 0`).catch((err: unknown) => {
        throw fail(err);
      });
      return new Set(r.fields.map((f) => f.name.toLowerCase()));
    },
    async query(sql, params) {
      try {
        return (await main.query(sql, params as unknown[])).rows as RawRow[];
      } catch (err) {
        throw fail(err);
      }
    },
    async *stream(sql, params, batchSize) {
      const client = await connect();
      try {
        await client.query("BEGIN READ ONLY");
        await client.query(`DECLARE cel_rows NO SCROLL CURSOR FOR ${sql}`, params as unknown[]);
        for (;;) {
          const r = await client.query(`FETCH ${Math.max(1, Math.floor(batchSize))} FROM cel_rows`);
          for (const row of r.rows as RawRow[]) yield row;
          if (r.rows.length < batchSize) break;
        }
        await client.query("COMMIT");
      } catch (err) {
        throw fail(err);
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    close: () => main.end().catch(() => undefined),
  };
}
