/**
 * tracker.events_per_s — every recording's AMI messages, replicated with distinct
 * uniqueids/linkedids/bridge ids/ActionIDs and interleaved in time (hundreds of calls in flight),
 * fed through `track` on one core. Message objects are built outside the timed section; the
 * timed section includes each message's first header lookup (as in production).
 *
 * tracker.heap_bytes_per_1000_calls — heap held by the tracker state with 1,000 calls live
 * mid-call (a mix of all recordings, cut half-way), measured with global.gc (--expose-gc).
 */
import { AmiMessage, type AmiField } from "@asterisk-b24/ami";
import { loadRecording, note, printFigure, recordingNames } from "@asterisk-b24/testkit";
import { createTrackerState, track, type TrackerConfig } from "../src/tracker/index.js";

const config: Partial<TrackerConfig> = { nonCrmQueues: ["support", "601"], nonCrmExtensions: ["501", "502"] };
const recordings = recordingNames().map((n) => loadRecording(n).messages);

const UID = /\b(\d{10})\.(\d+)\b/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;

function rewrite(value: string, replica: number): string {
  if (value.length < 8) return value;
  return value
    .replace(UID, (_, e: string, s: string) => `${Number(e) + (replica + 1) * 1000}.${s}`)
    .replace(UUID, (u) => `${u}-${replica}`)
    .replace(/^crm-(c2c|call)-(\d+)$/, (m) => `${m}-${replica}`);
}

interface Timed {
  t: number;
  message: AmiMessage;
}

function replica(rec: Timed[], r: number, offset: number): Timed[] {
  return rec.map(({ t, message }) => ({
    t: t + offset,
    message: new AmiMessage(message.fields.map(([k, v]): AmiField => [k, rewrite(v, r)])),
  }));
}

// --- heap per 1,000 live calls -------------------------------------------------------------
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc (pnpm bench does)");
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
/** Live calls, each a recording cut half-way (all recordings in turn), with distinct ids. */
function fill(target: number, firstReplica: number) {
  const s = createTrackerState();
  let n = 0;
  while (Object.keys(s.calls).length < target) {
    const rec = recordings[n % recordings.length]!;
    const half = replica(rec.slice(0, Math.floor(rec.length / 2)), firstReplica + n, 0);
    for (const { t, message } of half) track(s, message, 1_795_000_000_000 + t, config);
    n++;
  }
  return s;
}
fill(200, 200_000); // warm the code paths, then throw it away
const before = heap();
const held = fill(1000, 100_000);
const live = Object.keys(held.calls).length;
const after = heap();
const perThousand = ((after - before) * 1000) / live;
printFigure("tracker.heap_bytes_per_1000_calls", perThousand, "bytes");
const json = JSON.stringify(held.calls).length;
note(`tracker: ${live} live calls hold ${((after - before) / 1024 / 1024).toFixed(2)} MiB of heap; persisted JSON ≈ ${Math.round(json / live)} bytes per call`);

// --- throughput --------------------------------------------------------------------------
const BATCHES = 30;
const REPLICAS_PER_BATCH = 16;
let messages = 0;
let stageEvents = 0;
let calls = 0;
let ns = 0n;
const state = createTrackerState();
const warm = createTrackerState();
for (const rec of recordings) for (const { t, message } of replica(rec, 9999, 0)) track(warm, message, t, config);

for (let b = 0; b < BATCHES; b++) {
  const batch: Timed[] = [];
  for (let i = 0; i < REPLICAS_PER_BATCH; i++) {
    const r = b * REPLICAS_PER_BATCH + i;
    recordings.forEach((rec, k) => batch.push(...replica(rec, r, i * 700 + k * 150)));
  }
  batch.sort((a, b2) => a.t - b2.t);
  const base = 1_795_000_000_000 + b * 100_000;
  const start = process.hrtime.bigint();
  for (const { t, message } of batch) {
    const out = track(state, message, base + t, config);
    for (const e of out.events) if (e.stage === "call_ended") calls++;
    stageEvents += out.events.length;
  }
  ns += process.hrtime.bigint() - start;
  messages += batch.length;
}
const secs = Number(ns) / 1e9;
if (Object.keys(state.calls).length !== 0) throw new Error("calls left open after the replay");
printFigure("tracker.events_per_s", messages / secs, "events/s");
note(`tracker: ${messages} AMI messages, ${calls} calls, ${stageEvents} stage events (each with a call_full snapshot) in ${secs.toFixed(2)} s`);
