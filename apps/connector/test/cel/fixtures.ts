/** The shared recordings' CEL/CDR files as rows (test helpers). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RECORDINGS_DIR, recordingNames } from "@asterisk-b24/testkit";
import { cdrCsvTextRows, celCsvTextRows, collect } from "../../src/cel/csv-rows.js";
import type { CdrRow, CelRow } from "../../src/cel/rows.js";

export const CEL_NAMES = recordingNames().filter((n) => {
  try {
    readFileSync(join(RECORDINGS_DIR, `${n}.cel.csv`));
    return true;
  } catch {
    return false;
  }
});

export function celText(name: string): string {
  return readFileSync(join(RECORDINGS_DIR, `${name}.cel.csv`), "utf8");
}
export function cdrText(name: string): string {
  return readFileSync(join(RECORDINGS_DIR, `${name}.cdr.csv`), "utf8");
}

export async function fixtureRows(name: string): Promise<{ cel: CelRow[]; cdr: CdrRow[] }> {
  return { cel: await collect(celCsvTextRows(celText(name))), cdr: await collect(cdrCsvTextRows(cdrText(name))) };
}
