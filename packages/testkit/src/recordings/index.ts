import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { AmiMessage, type AmiField } from "@asterisk-b24/ami";

/** Where the copies of the real Asterisk recordings live (see fixtures/asterisk/README.md). */
export const RECORDINGS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures", "asterisk");

/**
 * SYNTHETIC fixtures in the same format (call pickup, parking, voicemail): built from the Asterisk
 * 22 AMI documentation because no real recording of those flows exists (see its README.md).
 * Load them with `loadRecording(name, SYNTHETIC_RECORDINGS_DIR)`.
 */
export const SYNTHETIC_RECORDINGS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures", "asterisk-synthetic");

/** One recorded AMI message: `t` = ms since the AMI connection was opened. */
export interface TimedMessage {
  t: number;
  message: AmiMessage;
}

export interface Recording {
  name: string;
  /** Every message received after the greeting (Login response, events, action responses). */
  messages: TimedMessage[];
  /** Actions the recorder sent (Login with the secret masked, Originate, Logoff). */
  actions: TimedMessage[];
  /** Exact bytes of the AMI session, greeting included. */
  raw: Buffer;
  /** The machine-readable expected CRM outcome (NAME.expect.json). */
  expect: RecordingExpectation;
  /** The human description (NAME.md). */
  description: string;
}

/** Shape of NAME.expect.json (only the parts our tests read are typed strictly). */
export interface RecordingExpectation {
  scenario: string;
  description: string;
  product: { cardMode: "ringing" | "answer" };
  clickToCall?: { USER_ID: number; PHONE_NUMBER: string; LINE_NUMBER: string };
  b24: { auth: string; contacts: Record<string, unknown>[] };
  expect: {
    registrations: number | { min: number; max: number };
    tasks?: number;
    leadsCreated?: number;
    calls: ExpectedCall[];
    ami: { noInjection: boolean; originate?: { count: number; Channel: string; Exten: string } };
  };
  settleMs: number;
  timeoutMs: number;
  /** Set on SYNTHETIC fixtures (fixtures/asterisk-synthetic). */
  synthetic?: boolean;
}

export interface ExpectedCall {
  source?: "portal";
  match: { PHONE_NUMBER: string };
  TYPE: number | number[];
  lineNumber?: string;
  responsible: number | number[];
  status: "answered" | "missed";
  duration: { value?: number; tolerance?: number; min?: number; max?: number };
  shownTo?: number[];
  shownToInclude?: number[];
  notShownTo?: number[];
  record?: boolean;
}

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
