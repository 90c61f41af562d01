/** cel-custom / Master.csv files → CelRow / CdrRow streams. */
import { CDR_CSV_COLUMNS, CEL_CUSTOM_COLUMNS, csvFileRecords, csvObjects, csvRecords } from "./csv.js";
import { toCdrRow, toCelRow } from "./normalize.js";
import type { CdrRow, CelRow } from "./rows.js";

const celHeader = (first: string[]): boolean => first.some((f) => f.trim().toLowerCase() === "eventtype");
const cdrHeader = (first: string[]): boolean => first.some((f) => ["calldate", "start", "disposition"].includes(f.trim().toLowerCase()));

export class CelCsvError extends Error {
  constructor(file: string, record: number, cause: unknown) {
    super(`${file}: record ${record}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "CelCsvError";
  }
}

async function* rows<T>(
  records: AsyncIterable<string[]>,
  columns: readonly string[],
  isHeader: (r: string[]) => boolean,
  convert: (o: Record<string, string>) => T,
  file: string,
): AsyncIterable<T> {
  let n = 0;
  for await (const o of csvObjects(records, columns, isHeader)) {
    n++;
    try {
      yield convert(o);
    } catch (err) {
      throw new CelCsvError(file, n, err);
    }
  }
}

export function celCsvRows(path: string, zone: string, columns: readonly string[] = CEL_CUSTOM_COLUMNS): AsyncIterable<CelRow> {
  return rows(csvFileRecords(path), columns, celHeader, (o) => toCelRow(o, zone), path);
}

export function cdrCsvRows(path: string, zone: string, columns: readonly string[] = CDR_CSV_COLUMNS): AsyncIterable<CdrRow> {
  return rows(csvFileRecords(path), columns, cdrHeader, (o) => toCdrRow(o, zone), path);
}

/** CSV text (tests, pasted data) → rows. */
export function celCsvTextRows(text: string, zone = "UTC", columns: readonly string[] = CEL_CUSTOM_COLUMNS): AsyncIterable<CelRow> {
  return rows(csvRecords([text]), columns, celHeader, (o) => toCelRow(o, zone), "(text)");
}

export function cdrCsvTextRows(text: string, zone = "UTC", columns: readonly string[] = CDR_CSV_COLUMNS): AsyncIterable<CdrRow> {
  return rows(csvRecords([text]), columns, cdrHeader, (o) => toCdrRow(o, zone), "(text)");
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
