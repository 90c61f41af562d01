import { RecordingLookupError } from "./errors.js";

/**
 * Finds the recording's path in an external database — for PBXes that keep it in a CDR-like table
 * instead of a channel variable (FreePBX `asteriskcdrdb.cdr.recordingfile`, or a custom table next
 * to separate storage, as in the case study). One configured, parameterised query:
 *
 *   SELECT recordingfile FROM cdr WHERE linkedid = :linkedid AND recordingfile <> ''
 *   ORDER BY calldate DESC LIMIT 1
 *
 * `:uniqueid` and `:linkedid` are the only parameters; they become `?` (MariaDB/MySQL, mysql2) or
 * `$1, $2` (PostgreSQL, pg). The first non-empty value of the first row (or `column`) is the path.
 * Drivers are loaded only when a lookup is created (decision 0009).
 */

export type DbDriver = "mysql" | "postgres";

export interface DbConnection {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
}

export interface DbLookupConfig {
  driver: DbDriver;
  /** Connection settings, or a URL (`mysql://user:pass@host/db`, `postgres://…`). */
  connection: DbConnection | string;
  query: string;
  /** Column holding the path (default: the first non-empty value of the row). */
  column?: string;
  /** Pool size (default 2: lookups are one per finished call). */
  poolSize?: number;
  connectTimeoutMs?: number;
  /** Per-query limit (default 5 s). */
  queryTimeoutMs?: number;
}

export interface CallIds {
  uniqueid: string;
  /** Defaults to uniqueid (a call with one channel). */
  linkedid?: string | undefined;
}

export interface RecordingLookup {
  find(ids: CallIds): Promise<string | undefined>;
  close(): Promise<void>;
}

export const QUERY_PARAMS = ["uniqueid", "linkedid"] as const;
type ParamName = (typeof QUERY_PARAMS)[number];

export interface CompiledQuery {
  text: string;
  /** Parameter names in the order of the placeholders (`?` style) or of `$n` (pg style). */
  names: ParamName[];
}

/**
 * `:name` → placeholders, skipping quoted strings, comments and PostgreSQL `::casts`.
 * Unknown names are a configuration error (RecordingLookupError).
 */
export function compileNamedQuery(sql: string, style: "?" | "$n"): CompiledQuery {
  const names: ParamName[] = [];
  let text = "";
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === "`") {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === "\\" && c !== '"' && j + 1 < sql.length) j += 2;
        else if (sql[j] === c) break;
        else j++;
      }
      text += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === "-" && sql[i + 1] === "-") {
      const j = sql.indexOf("\n", i);
      const end = j < 0 ? sql.length : j;
      text += sql.slice(i, end);
      i = end;
    } else if (c === "/" && sql[i + 1] === "*") {
      const j = sql.indexOf("*/", i + 2);
      const end = j < 0 ? sql.length : j + 2;
      text += sql.slice(i, end);
      i = end;
    } else if (c === ":" && sql[i + 1] === ":") {
      text += "::";
      i += 2;
    } else if (c === ":" && /[A-Za-z_]/.test(sql[i + 1] ?? "")) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))!;
      const name = m[0] as ParamName;
      if (!QUERY_PARAMS.includes(name)) {
        throw new RecordingLookupError(`unknown query parameter :${m[0]} (use ${QUERY_PARAMS.map((p) => `:${p}`).join(", ")})`);
      }
      if (style === "?") {
        names.push(name);
        text += "?";
      } else {
        let index = names.indexOf(name);
        if (index < 0) index = names.push(name) - 1;
        text += `$${index + 1}`;
      }
      i += 1 + m[0].length;
    } else {
      text += c;
      i++;
    }
  }
  return { text, names };
}

function pickPath(row: Record<string, unknown> | undefined, column?: string): string | undefined {
  if (!row) return undefined;
  const values = column !== undefined ? [row[column]] : Object.values(row);
  for (const v of values) {
    const s = Buffer.isBuffer(v) ? v.toString("utf8") : typeof v === "string" ? v : undefined;
    if (s !== undefined && s.trim() !== "") return s.trim();
  }
  return undefined;
}

const wrap = (what: string, err: unknown) => new RecordingLookupError(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });

export async function createDbRecordingLookup(config: DbLookupConfig): Promise<RecordingLookup> {
  const query = compileNamedQuery(config.query, config.driver === "mysql" ? "?" : "$n");
  const values = (ids: CallIds) => query.names.map((n) => (n === "linkedid" ? (ids.linkedid ?? ids.uniqueid) : ids.uniqueid));
  const poolSize = config.poolSize ?? 2;
  const connectTimeout = config.connectTimeoutMs ?? 5_000;
  const queryTimeout = config.queryTimeoutMs ?? 5_000;

  if (config.driver === "mysql") {
    const mysql = await import("mysql2/promise");
    const base = { connectionLimit: poolSize, connectTimeout, supportBigNumbers: true };
    const pool = typeof config.connection === "string" ? mysql.createPool({ uri: config.connection, ...base }) : mysql.createPool({ ...config.connection, ...base });
    return {
      async find(ids) {
        try {
          const [rows] = await pool.execute({ sql: query.text, timeout: queryTimeout }, values(ids));
          return pickPath((rows as Array<Record<string, unknown>>)[0], config.column);
        } catch (err) {
          throw wrap("recording lookup (mysql)", err);
        }
      },
      async close() {
        await pool.end();
      },
    };
  }

  const pg = await import("pg");
  const Pool = pg.default.Pool;
  const base = {
    max: poolSize,
    connectionTimeoutMillis: connectTimeout,
    query_timeout: queryTimeout,
    statement_timeout: queryTimeout,
  };
  const pool = typeof config.connection === "string" ? new Pool({ connectionString: config.connection, ...base }) : new Pool({ ...config.connection, ...base });
  // An idle client dropped by the server must not crash the process.
  pool.on("error", () => undefined);
  return {
    async find(ids) {
      try {
        const result = await pool.query(query.text, values(ids));
        return pickPath(result.rows[0] as Record<string, unknown> | undefined, config.column);
      } catch (err) {
        throw wrap("recording lookup (postgres)", err);
      }
    },
    async close() {
      await pool.end();
    },
  };
}
