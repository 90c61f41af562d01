import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { AmiMessage, type AmiField } from "@asterisk-b24/ami";

/** Where the copies of the real Asterisk recordings live (see fixtures/asterisk/README.md). */
export const RECORDINGS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures", "asterisk");

export type * from "./types.js";

/**
 * SYNTHETIC fixtures in the same format (call pickup, parking, voicemail): built from the Asterisk
 * 22 AMI documentation because no real recording of those flows exists (see its README.md).
 * Load them with `loadRecording(name, SYNTHETIC_RECORDINGS_DIR)`.
 */
export const SYNTHETIC_RECORDINGS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures", "asterisk-synthetic");
/** SYNTHETIC CEL/CDR files in Asterisk 22's row order for calls that change linkedid (see its README). */
export const SYNTHETIC_CEL_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures", "asterisk-synthetic-cel");
import type { Recording, RecordingExpectation, TimedMessage } from "./types.js";

function parseJsonl(text: string): TimedMessage[] {
  const out: TimedMessage[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const row = JSON.parse(line) as { t: number; fields: AmiField[] };
    out.push({ t: row.t, message: new AmiMessage(row.fields) });
  }
  return out;
}

/** Names of every recording in the fixtures folder, sorted. */
export function recordingNames(dir = RECORDINGS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl") && !f.endsWith(".actions.jsonl"))
    .map((f) => f.slice(0, -".jsonl".length))
    .sort();
}

export function loadRecording(name: string, dir = RECORDINGS_DIR): Recording {
  const read = (suffix: string) => readFileSync(join(dir, name + suffix));
  return {
    name,
    messages: parseJsonl(read(".jsonl").toString("utf8")),
    actions: parseJsonl(read(".actions.jsonl").toString("utf8")),
    raw: read(".ami"),
    expect: JSON.parse(read(".expect.json").toString("utf8")) as RecordingExpectation,
    description: read(".md").toString("utf8"),
  };
}
export * from "./recording-files.js";
export * from "./replicate.js";
export * from "./rename-extensions.js";
