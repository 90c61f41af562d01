/** What the SQL CEL source needs from a database driver (mysql2 or pg, loaded on demand). */
import type { RawRow } from "./normalize.js";

export interface SqlDriver {
  readonly dialect: "mysql" | "postgres";
  /** Placeholder for the i-th parameter (0-based). */
  param(i: number): string;
  /** `db.table` → quoted identifier(s). */
  table(name: string): string;
  /** Column names of a table, lower-cased. */
  columns(table: string): Promise<Set<string>>;
  query(sql: string, params: readonly unknown[]): Promise<RawRow[]>;
  /** Rows of one query, streamed (server-side cursor / row stream); stopping early releases it. */
  stream(sql: string, params: readonly unknown[], batchSize: number): AsyncIterable<RawRow>;
  close(): Promise<void>;
}

export class CelSourceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CelSourceError";
  }
}

/** Offset zones and UTC as a SQL session time zone ("+03:00"), else undefined (IANA name). */
export function sessionOffset(zone: string): string | undefined {
  const u = zone.toUpperCase();
  if (u === "UTC" || u === "GMT" || u === "Z") return "+00:00";
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  return m ? `${m[1]}${m[2]}:${m[3] ?? "00"}` : undefined;
}

export function quoteIdent(name: string, q: string): string {
  return name
    .split(".")
    .map((p) => q + p.split(q).join(q + q) + q)
    .join(".");
}
