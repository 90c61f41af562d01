/**
 * The soak's schedule: which recorded flow each call replays and when it starts, so that up to
 * `concurrency` calls are in progress at once at the recorded pace, the way a customer's
 * contact centre (or test bench) produces them — the same few client numbers and extensions
 * again and again, overlapping in time.
 */
import { seededRandom, type Recording, type ReplicaPart } from "@asterisk-b24/testkit";

export interface SoakPlanOptions {
  /** How many calls in all. */
  calls: number;
  /** At most this many calls in progress at once (the schedule keeps it near this). */
  concurrency: number;
  /** Flows to mix (each call replays one of them); every flow appears about equally often. */
  flows: readonly Recording[];
  /** Seed of the shuffles and gaps (reproducible runs). */
  seed: number;
  /** Smallest / largest pause between two call starts, ms (default 150 / 900). */
  gapMs?: { min: number; max: number };
  /**
   * The few clients who call and are called again and again: each call gets one of them (in
   * turn) in place of the recorded client number. Default: the recorded number only.
   */
  clients?: readonly string[];
  /** Clients of one flow in place of `clients` (e.g. numbers no CRM contact has, for the calls nobody owns). */
  clientsOf?: (flow: Recording) => readonly string[] | undefined;
}

/** The client number most recordings carry (in international form; dialled out as 8…). */
export const RECORDED_CLIENT = "79161234567";

/** Replacements that make a recording's client `client` (international, 11 digits). */
export function clientReplacement(client: string): Record<string, string> {
  if (client === RECORDED_CLIENT) return {};
  return { [RECORDED_CLIENT]: client, [`8${RECORDED_CLIENT.slice(1)}`]: `8${client.slice(1)}` };
}

export interface SoakPlan {
  parts: ReplicaPart[];
  /** Most calls in progress at one time in this schedule. */
  maxConcurrent: number;
  /** When the last call ends, ms from the start. */
  lengthMs: number;
}

/** How long a recording's calls last (first to last message), ms. */
export function recordingLengthMs(rec: Recording): number {
  const ts = rec.messages.slice(1).map((m) => m.t);
  return ts.length ? Math.max(...ts) - Math.min(...ts) : 0;
}

/** Most intervals [start, end) that overlap at one point. */
export function maxOverlap(intervals: ReadonlyArray<{ start: number; end: number }>): number {
  const edges = intervals.flatMap((i) => [
    { at: i.start, d: 1 },
    { at: i.end, d: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.d - b.d);
  let now = 0;
  let max = 0;
  for (const e of edges) max = Math.max(max, (now += e.d));
  return max;
}

export function planSoak(o: SoakPlanOptions): SoakPlan {
  if (o.flows.length === 0) throw new Error("soak: no flows to replay");
  const random = seededRandom(o.seed);
  const gap = o.gapMs ?? { min: 150, max: 900 };
  // Every flow about equally often, in a shuffled order.
  const order = Array.from({ length: o.calls }, (_, i) => o.flows[i % o.flows.length]!);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const parts: ReplicaPart[] = [];
  const running: number[] = []; // end times of calls in progress
  let at = 0;
  const clients = o.clients?.length ? o.clients : [RECORDED_CLIENT];
  const turn = new Map<readonly string[], number>();
  for (const recording of order) {
    at += Math.round(gap.min + random() * (gap.max - gap.min));
    // Wait until a call ends when `concurrency` are in progress.
    running.sort((a, b) => a - b);
    while (running.length > 0 && running[0]! <= at) running.shift();
    if (running.length >= o.concurrency) {
      at = running[running.length - o.concurrency]!;
      while (running.length > 0 && running[0]! <= at) running.shift();
    }
    running.push(at + recordingLengthMs(recording));
    const own = o.clientsOf?.(recording);
    const pool = own?.length ? own : clients;
    const n = turn.get(pool) ?? 0;
    turn.set(pool, n + 1);
    parts.push({ recording, atMs: at, replace: clientReplacement(pool[n % pool.length]!) });
  }
  const intervals = parts.map((p) => ({ start: p.atMs, end: p.atMs + recordingLengthMs(p.recording) }));
  return { parts, maxConcurrent: maxOverlap(intervals), lengthMs: Math.max(0, ...intervals.map((i) => i.end)) };
}
