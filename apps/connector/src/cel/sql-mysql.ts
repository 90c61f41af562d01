/** MariaDB / MySQL (FreePBX asteriskcdrdb) through mysql2; times read as text (`dateStrings`). */
import { CelSourceError, quoteIdent, sessionOffset, type SqlDriver } from "./sql-driver.js";
import type { RawRow } from "./normalize.js";

export async function mysqlDriver(url: string, zone: string): Promise<SqlDriver> {
  const mysql = await import("mysql2");
  const options = { uri: url, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true, connectTimeout: 10_000 } as const;
  const setZone = async (conn: import("mysql2").Connection): Promise<void> => {
    const offset = sessionOffset(zone);
    // TIMESTAMP columns come in the session zone; DATETIME (Asterisk's usual type) has none.
    await new Promise<void>((resolve) => conn.query("SET time_zone = ?", [offset ?? zone], () => resolve()));
  };
  const connect = async (): Promise<import("mysql2").Connection> => {
    const conn = mysql.createConnection(options);
    await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(new CelSourceError(`MySQL: ${err.message}`, { cause: err })) : resolve())));
    await setZone(conn);
    return conn;
  };
  const main = await connect();
  const run = (conn: import("mysql2").Connection, sql: string, params: readonly unknown[]): Promise<RawRow[]> =>
    new Promise((resolve, reject) =>
      conn.query({ sql, values: params as unknown[] }, (err, rows) => (err ? reject(new CelSourceError(`MySQL: ${err.message}`, { cause: err })) : resolve(rows as RawRow[]))),
    );
  return {
    dialect: "mysql",
    param: () => "?",
    table: (name) => quoteIdent(name, "`"),
    async columns(table) {
      const fields = await new Promise<string[]>((resolve, reject) =>
        main.query(`SELECT * FROM ${quoteIdent(table, "`")} LIMIT 0`, (err, _rows, f) =>
          err ? reject(new CelSourceError(`MySQL: ${err.message}`, { cause: err })) : resolve((f ?? []).map((x) => x.name)),
        ),
      );
      return new Set(fields.map((f) => f.toLowerCase()));
    },
    query: (sql, params) => run(main, sql, params),
    async *stream(sql, params, batchSize) {
      const conn = await connect();
      let finished = false;
      try {
        const rows = conn.query({ sql, values: params as unknown[] }).stream({ highWaterMark: batchSize });
        for await (const row of rows) yield row as RawRow;
        finished = true;
      } catch (err) {
        throw err instanceof CelSourceError ? err : new CelSourceError(`MySQL: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      } finally {
        // Stopped early: the server is still sending rows; dropping the connection is the way out.
        if (finished) await new Promise<void>((resolve) => conn.end(() => resolve()));
        else conn.destroy();
      }
    },
    close: () => new Promise<void>((resolve) => main.end(() => resolve())),
  };
}
