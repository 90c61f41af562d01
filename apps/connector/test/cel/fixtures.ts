/** The shared recordings' CEL/CDR files as rows (test helpers). */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RECORDINGS_DIR, SYNTHETIC_CEL_DIR, recordingNames } from "@asterisk-b24/testkit";
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

/** The SYNTHETIC Asterisk 22 CEL files (calls that change linkedid: attended transfer, pickup, park). */
export const SYNTHETIC_CEL_NAMES = readdirSync(SYNTHETIC_CEL_DIR)
  .filter((f) => f.endsWith(".cel.csv"))
  .map((f) => f.slice(0, -".cel.csv".length))
  .sort();

export interface SyntheticCelExpect {
  synthetic: true;
  calls: number;
  direction: "inbound" | "outbound";
  /** Bitrix24 user id (demo users: 101 → 1, 102 → 2, 103 → 3). */
  responsible: number;
  status: "answered" | "missed";
  talkSeconds: { min: number; max: number };
}

export function syntheticCelExpect(name: string): SyntheticCelExpect {
  return JSON.parse(readFileSync(join(SYNTHETIC_CEL_DIR, `${name}.expect.json`), "utf8")) as SyntheticCelExpect;
}

export async function syntheticCelRows(name: string): Promise<{ cel: CelRow[]; cdr: CdrRow[] }> {
  const text = (ext: string) => readFileSync(join(SYNTHETIC_CEL_DIR, `${name}.${ext}.csv`), "utf8");
  return { cel: await collect(celCsvTextRows(text("cel"))), cdr: await collect(cdrCsvTextRows(text("cdr"))) };
}
