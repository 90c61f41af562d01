import { AmiMessage, type AmiField } from "@asterisk-b24/ami";
import type { Recording, TimedMessage } from "./types.js";

/**
 * Replicas of recorded calls, as one Asterisk would produce them in one run: every copy gets its
 * own Uniqueids/Linkedids (`<epoch>.<sequence>`), channel names (`PJSIP/101-0000002a`, Local
 * `;1/;2` halves), bridge ids and recording file names — everywhere they appear, header values
 * such as `DestUniqueid`, `TransfererLinkedid`, `BRIDGEPEER`, `MIXMONITOR_FILENAME` or a Dial's
 * AppData included — while caller numbers, extensions, DIDs and queues stay the recorded ones
 * (the same few phones calling again and again, as on a customer's test bench).
 */

/** Sequence numbers of one copy live in their own block: `<epoch>.<n + copy × SEQUENCE_BLOCK>`. */
const SEQUENCE_BLOCK = 10_000;
/** Channel-name counters of one copy live in their own block (hex suffix + copy × 256). */
const CHANNEL_BLOCK = 256;

const ID_IN_TEXT = /\b(1\d{9})\.(\d+)\b/g;
/** `Tech/resource-0000002a` (+ `;1`/`;2` for Local): a channel name, wherever it appears. */
const CHANNEL_SUFFIX_IN_TEXT = /\b([A-Za-z][A-Za-z0-9_]*\/[^\s,/|&]+-)([0-9a-f]{8})(;[12])?(?![0-9A-Za-z])/g;
const BRIDGE_KEY = /bridgeuniqueid$/i;
/** Values that are times, not ids (`SentNTP: 1795257442.868233`). */
const TIME_KEY = /^(timestamp|sentntp|receivedntp)$/i;

export interface ReplicaShift {
  /** Copy number (0 = the recording as it is). Distinct copies never share an id or a channel. */
  copy: number;
  /** Seconds added to the epoch part of every id (the copy starts that much later). */
  epochSeconds: number;
}

/** One header value as copy `shift.copy` sees it. */
export function shiftValue(key: string, value: string, shift: ReplicaShift): string {
  if (shift.copy === 0 && shift.epochSeconds === 0) return value;
  if (TIME_KEY.test(key)) return value;
  if (BRIDGE_KEY.test(key)) return value ? `${value}-r${shift.copy}` : value;
  return value
    .replace(ID_IN_TEXT, (_all, epoch: string, seq: string) => {
      const n = Number(seq);
      if (n >= SEQUENCE_BLOCK) throw new Error(`replica: id ${epoch}.${seq} has a sequence number ≥ ${SEQUENCE_BLOCK}; copies could collide`);
      return `${Number(epoch) + shift.epochSeconds}.${n + shift.copy * SEQUENCE_BLOCK}`;
    })
    .replace(CHANNEL_SUFFIX_IN_TEXT, (_all, head: string, hex: string, half: string | undefined) => {
      const n = parseInt(hex, 16);
      if (n >= CHANNEL_BLOCK) throw new Error(`replica: channel counter ${hex} ≥ ${CHANNEL_BLOCK}; copies could collide`);
      return `${head}${(n + shift.copy * CHANNEL_BLOCK).toString(16).padStart(8, "0")}${half ?? ""}`;
    });
}

/** The recorded Login response (never part of a call). */
function isLoginResponse(m: TimedMessage, index: number): boolean {
  return index === 0 && m.message.response !== undefined;
}

export interface ReplicaPart {
  recording: Recording;
  /** When this copy starts, in ms from the start of the mix (its first message plays then). */
  atMs: number;
  /** Text replaced in every header value of this copy (e.g. another client's number). */
  replace?: Readonly<Record<string, string>>;
}

function replaceAll(value: string, replace: Readonly<Record<string, string>> | undefined): string {
  if (!replace) return value;
  let out = value;
  for (const [from, to] of Object.entries(replace)) if (out.includes(from)) out = out.split(from).join(to);
  return out;
}

export interface MixedReplica {
  /** The source recording's name. */
  source: string;
  copy: number;
  atMs: number;
  /** The replacements made in this copy (see ReplicaPart.replace). */
  replace: Readonly<Record<string, string>>;
  /** Ms from atMs to this copy's last message. */
  lengthMs: number;
  /** Every Linkedid of this copy (a call's Bitrix24 EXTERNAL_CALL_ID is one of them). */
  linkedids: string[];
}

export interface MixedRecordings {
  recording: Recording;
  replicas: MixedReplica[];
}

/** Epoch (s) of the recording's first call id: when its first channel was created. */
function firstEpoch(rec: Recording): number | undefined {
  for (const { message } of rec.messages) {
    const m = /^(1\d{9})\.\d+$/.exec(message.get("Uniqueid") ?? "");
    if (m) return Number(m[1]);
  }
  return undefined;
}

/**
 * Interleaves copies of recordings into one AMI stream (one connection, as a real Asterisk sends
 * every call on it), ordered by time. Copy i of the list gets its own ids (`copy` = i + 1, so no
 * copy equals an unshifted recording); the epoch part of its ids says it started `atMs` after the
 * first one. The first recording's Login response is kept once.
 */
export function mixRecordings(parts: readonly ReplicaPart[], name = "mix"): MixedRecordings {
  const all: TimedMessage[] = [];
  const replicas: MixedReplica[] = [];
  let login: TimedMessage | undefined;
  const base = parts.length ? firstEpoch(parts[0]!.recording) : undefined;
  parts.forEach((part, i) => {
    const rec = part.recording;
    const own = firstEpoch(rec);
    const epochSeconds = base !== undefined && own !== undefined ? base + Math.round(part.atMs / 1000) - own : 0;
    const shift: ReplicaShift = { copy: i + 1, epochSeconds };
    const calls = rec.messages.filter((m, j) => {
      if (!isLoginResponse(m, j)) return true;
      login ??= m;
      return false;
    });
    const t0 = calls[0]?.t ?? 0;
    const linkedids = new Set<string>();
    let last = 0;
    for (const { t, message } of calls) {
      const fields: AmiField[] = message.fields.map(([k, v]) => [k, replaceAll(shiftValue(k, v, shift), part.replace)] as const);
      const copy = new AmiMessage(fields);
      const lid = copy.get("Linkedid");
      if (lid) linkedids.add(lid);
      all.push({ t: part.atMs + (t - t0), message: copy });
      last = t - t0;
    }
    replicas.push({ source: rec.name, copy: shift.copy, atMs: part.atMs, replace: part.replace ?? {}, lengthMs: last, linkedids: [...linkedids] });
  });
  all.sort((a, b) => a.t - b.t);
  const first = parts[0]?.recording;
  const recording: Recording = {
    name,
    messages: login ? [login, ...all] : all,
    actions: first ? first.actions.filter((a) => a.message.get("Action")?.toLowerCase() === "login") : [],
    raw: Buffer.alloc(0),
    expect: first ? first.expect : ({} as Recording["expect"]),
    description: `${parts.length} replicas of ${[...new Set(parts.map((p) => p.recording.name))].join(", ")}`,
  };
  return { recording, replicas };
}

/**
 * Load for benchmarks: `copies` copies of one recorded call, each with its own ids, channel
 * names, bridges and recording files, starting `spacingMs` apart and interleaved in time.
 */
export function replicateRecording(rec: Recording, copies: number, spacingMs: number): Recording {
  const parts = Array.from({ length: copies }, (_, i) => ({ recording: rec, atMs: i * spacingMs }));
  const { recording } = mixRecordings(parts, `${rec.name}x${copies}`);
  return recording;
}
