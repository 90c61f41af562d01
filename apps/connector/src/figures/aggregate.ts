import type { CallFigures } from "./call-figures.js";

/** The per-call figures of a period summed per queue and per manager (pure). */

export interface QueueRow {
  queue: string;
  /** Callers that joined the queue. */
  offered: number;
  answered: number;
  /** The caller hung up while waiting. */
  abandoned: number;
  /** Left unanswered another way (queue timeout, dialplan exit). */
  other: number;
  /** Answered within `serviceLevelSec` of joining. */
  answeredWithin: number;
  /** answeredWithin / offered (0 when nothing was offered). */
  serviceLevel: number;
  /** Wait before an answer, seconds: mean and 90th percentile over answered calls. */
  avgWaitSec: number;
  p90WaitSec: number;
  /** Wait before abandoning, seconds: mean and longest. */
  avgAbandonWaitSec: number;
  maxAbandonWaitSec: number;
  /** Mean talk of answered calls, seconds. */
  avgTalkSec: number;
}

export interface ManagerRow {
  extension: string;
  /** Calls that rang this extension. */
  rung: number;
  answered: number;
  /** Rang, not answered, nobody else had it. */
  missed: number;
  /** Calls the manager started. */
  placed: number;
  talkSec: number;
}

export interface MissedCall {
  key: string;
  startedAt: number;
  client: string;
  line: string;
  queues: string[];
  /** Extensions that rang. */
  rang: string[];
}

export interface Bucket {
  start: number;
  inbound: number;
  answered: number;
  missedByAll: number;
  abandoned: number;
}

export interface Figures {
  fromMs: number;
  toMs: number;
  serviceLevelSec: number;
  totals: { calls: number; inbound: number; outbound: number; internal: number; answeredInbound: number; missedByAll: number; ivr: number };
  queues: QueueRow[];
  managers: ManagerRow[];
  /** Inbound calls that rang employees and none answered, newest first (at most `missedLimit`). */
  missedByAll: MissedCall[];
  /** Inbound calls per bucket (hours for a period up to two days, else days), oldest first. */
  series: Bucket[];
  bucket: "hour" | "day";
}

/** 90th percentile, nearest-rank; 0 for no values. */
export function p90(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.9 * sorted.length) - 1]!;
}

const mean = (values: number[]): number => (values.length ? Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10 : 0);

export interface AggregateOptions {
  fromMs: number;
  toMs: number;
  serviceLevelSec: number;
  /** Start of the bucket holding `ms` (local days / hours of the configured time zone). */
  bucketStart: (ms: number, bucket: "hour" | "day") => number;
  /** Bucket starts covering [fromMs, toMs], oldest first. */
  bucketStarts: (fromMs: number, toMs: number, bucket: "hour" | "day") => number[];
  missedLimit?: number;
}

export function aggregate(calls: readonly CallFigures[], o: AggregateOptions): Figures {
  const bucket: Figures["bucket"] = o.toMs - o.fromMs <= 2 * 86_400_000 ? "hour" : "day";
  const series = new Map<number, Bucket>(o.bucketStarts(o.fromMs, o.toMs, bucket).map((start) => [start, { start, inbound: 0, answered: 0, missedByAll: 0, abandoned: 0 }]));
  const totals = { calls: 0, inbound: 0, outbound: 0, internal: 0, answeredInbound: 0, missedByAll: 0, ivr: 0 };
  const queues = new Map<string, { row: QueueRow; waits: number[]; abandonWaits: number[]; talks: number[] }>();
  const managers = new Map<string, ManagerRow>();
  const missed: MissedCall[] = [];
  for (const c of calls) {
    totals.calls++;
    if (c.direction === "inbound") totals.inbound++;
    else if (c.direction === "outbound") totals.outbound++;
    else if (c.direction === "internal") totals.internal++;
    if (c.direction === "inbound" && c.answered) totals.answeredInbound++;
    if (c.ivr) totals.ivr++;
    const b = series.get(o.bucketStart(c.startedAt, bucket));
    if (b && c.direction === "inbound") {
      b.inbound++;
      if (c.answered) b.answered++;
      if (c.missedByAll) b.missedByAll++;
      if (c.queues.some((q) => q.outcome === "abandoned")) b.abandoned++;
    }
    if (c.missedByAll) {
      totals.missedByAll++;
      missed.push({
        key: c.key,
        startedAt: c.startedAt,
        client: c.client,
        line: c.line,
        queues: [...new Set(c.queues.map((q) => q.queue))],
        rang: c.agents.filter((a) => a.rung).map((a) => a.ext),
      });
    }
    for (const leg of c.queues) {
      let q = queues.get(leg.queue);
      if (!q) {
        q = {
          row: {
            queue: leg.queue,
            offered: 0,
            answered: 0,
            abandoned: 0,
            other: 0,
            answeredWithin: 0,
            serviceLevel: 0,
            avgWaitSec: 0,
            p90WaitSec: 0,
            avgAbandonWaitSec: 0,
            maxAbandonWaitSec: 0,
            avgTalkSec: 0,
          },
          waits: [],
          abandonWaits: [],
          talks: [],
        };
        queues.set(leg.queue, q);
      }
      q.row.offered++;
      q.row[leg.outcome]++;
      if (leg.outcome === "answered") {
        q.waits.push(leg.waitSec);
        q.talks.push(leg.talkSec);
        if (leg.waitSec <= o.serviceLevelSec) q.row.answeredWithin++;
      } else if (leg.outcome === "abandoned") q.abandonWaits.push(leg.waitSec);
    }
    for (const a of c.agents) {
      let m = managers.get(a.ext);
      if (!m) managers.set(a.ext, (m = { extension: a.ext, rung: 0, answered: 0, missed: 0, placed: 0, talkSec: 0 }));
      if (a.rung) m.rung++;
      if (a.answered) m.answered++;
      if (a.missed) m.missed++;
      if (a.placed) m.placed++;
      m.talkSec += a.talkSec;
    }
  }
  const queueRows = [...queues.values()].map(({ row, waits, abandonWaits, talks }) => ({
    ...row,
    serviceLevel: row.offered ? Math.round((row.answeredWithin / row.offered) * 1000) / 1000 : 0,
    avgWaitSec: mean(waits),
    p90WaitSec: p90(waits),
    avgAbandonWaitSec: mean(abandonWaits),
    maxAbandonWaitSec: abandonWaits.length ? Math.max(...abandonWaits) : 0,
    avgTalkSec: mean(talks),
  }));
  return {
    fromMs: o.fromMs,
    toMs: o.toMs,
    serviceLevelSec: o.serviceLevelSec,
    totals,
    queues: queueRows.sort((a, b) => a.queue.localeCompare(b.queue)),
    managers: [...managers.values()].sort((a, b) => a.extension.localeCompare(b.extension, undefined, { numeric: true })),
    missedByAll: missed.sort((a, b) => b.startedAt - a.startedAt).slice(0, o.missedLimit ?? 200),
    series: [...series.values()],
    bucket,
  };
}
