/**
 * 1,000 concurrent live calls: a mix of the real queue / ring-group / transfer / hold recordings
 * (each call several legs: queue members rung, transfer targets, Local channels), all started
 * within a few seconds so that every call is in progress at once, replayed over one AMI
 * connection through the real connector (tracker, Redis outbox, worker pool, stages, batched
 * client, limiter) into the Bitrix24 emulator with cloud limits. The PBX and the portal run in
 * another process (scale-peer.ts): this process holds only the connector.
 *
 *   scale.live_calls_rss_mb              the connector's RSS when the most calls were live (goal ≤ 200)
 *   scale.live_calls                     how many were live then (goal: all of BENCH_SCALE_CALLS)
 *   scale.rss_before_calls_mb            the same process before the first call (Node, tsx, modules loaded)
 *   scale.tracker_state_bytes_per_call   the tracker state (calls and indexes) as JSON ÷ live calls
 *   scale.heap_bytes_per_live_call       V8 heap after GC at the peak minus before the calls, ÷ live calls
 *
 * stderr: a per-structure table at the peak (tracker state, outbox, AMI queue, pool, heap spaces,
 * buffers) that explains the RSS, and the host's load.
 *
 *   BENCH_SCALE_CALLS (1000)  BENCH_SCALE_SPREAD_MS (8000, recorded)  BENCH_SCALE_SPEED (0.5)
 *   BENCH_SCALE_LIMITS (cloud | none)  BENCH_SCALE_HEAP_SNAPSHOT (file: a heap snapshot when all calls are live)
 */
import { getHeapSpaceStatistics, writeHeapSnapshot } from "node:v8";
import { Redis } from "ioredis";
import { note, printFigure, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { silentLogger } from "../src/log/logger.js";
import { Connector } from "../src/runtime/connector.js";
import { printHostLoad } from "./host.js";
import { peerConnectorConfig, startPeerProcess } from "./peer-process.js";
import type { PeerOptions } from "./scale-peer.js";

/** Recordings with several legs each: queue, ring group, missed queue, blind transfer, hold. */
const FLOWS = [
  "02_inbound_queue_sales_102_answers",
  "03_inbound_queue_missed",
  "09_inbound_blind_transfer_101_to_102",
  "15_inbound_hold_long_call",
  "17a_inbound_ringgroup_102_answers",
  "01_inbound_ext101_answered",
];
const calls = Number(process.env.BENCH_SCALE_CALLS ?? 1000);
const speed = Number(process.env.BENCH_SCALE_SPEED ?? 0.5);
const peerOptions: PeerOptions = {
  flows: FLOWS,
  calls,
  spreadMs: Number(process.env.BENCH_SCALE_SPREAD_MS ?? 8000),
  speed,
  limits: process.env.BENCH_SCALE_LIMITS === "none" ? false : { burst: 50, drainPerSec: 2 },
};

const redis = new Redis(SERVICES.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
await redis.connect().catch(() => {
  note("scale bench needs Redis on 127.0.0.1:6379");
  process.exit(1);
});

const mb = (bytes: number) => bytes / 2 ** 20;
const gc = () => (globalThis as { gc?: () => void }).gc?.();
function heapUsedAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** The PBX and the portal, in their own process. */
const peer = await startPeerProcess(peerOptions, "scale bench");
const peerStats = () => peer.stats();
const ready = peer.ready;
note(
  `scale: ${calls} calls of ${FLOWS.length} multi-leg flows over ${peerOptions.spreadMs / speed / 1000} s, each lasting ≥ ${(17_000 / speed / 1000).toFixed(0)} s; replay ends after ${(ready.lengthMs / 1000).toFixed(0)} s`,
);

const prefix = uniquePrefix("bench-scale");
const config = peerConnectorConfig(ready, prefix, peerOptions.limits || { burst: 100_000, drainPerSec: 10_000 }, "scale bench");

const baseHeap = heapUsedAfterGc();
const baseRss = process.memoryUsage().rss;
let ended = 0;
const connector = new Connector({
  config,
  logger: silentLogger(),
  onStage: (ev) => {
    if (ev.stage === "call_ended") ended++;
  },
});
const t0 = Date.now();
await connector.start();

interface Peak {
  live: number;
  rss: number;
  at: number;
}
let peak: Peak = { live: 0, rss: 0, at: 0 };
let maxRss = 0;
let peakTable: Array<[string, string]> = [];
let trackerBytes = 0;
let peakHeap = 0;
let tableLive = 0;
let snapshotWritten = false;

function trackerStateBytes(): { total: number; calls: number; indexes: number } {
  const s = connector.engine.state;
  const calls = Buffer.byteLength(JSON.stringify(s.calls));
  const indexes = Buffer.byteLength(JSON.stringify({ c: s.channelIndex, l: s.linkedidIndex, b: s.bridgeIndex, o: s.originates, r: s.recentOriginated }));
  return { total: calls + indexes, calls, indexes };
}

async function table(live: number): Promise<Array<[string, string]>> {
  const mem = process.memoryUsage();
  const t = trackerStateBytes();
  const rows: Array<[string, string]> = [
    ["live calls (tracker)", String(live)],
    ["RSS", `${mb(mem.rss).toFixed(1)} MB (before the calls ${mb(baseRss).toFixed(1)} MB)`],
    ["V8 heap used after GC", `${mb(peakHeap).toFixed(1)} MB (before the calls ${mb(baseHeap).toFixed(1)} MB)`],
    ["V8 heap total (reserved)", `${mb(mem.heapTotal).toFixed(1)} MB`],
    ["external / array buffers", `${mb(mem.external).toFixed(1)} / ${mb(mem.arrayBuffers).toFixed(1)} MB`],
    ["tracker state: calls (JSON)", `${mb(t.calls).toFixed(2)} MB, ${(t.calls / Math.max(1, live)).toFixed(0)} B/call`],
    ["tracker state: indexes (JSON)", `${mb(t.indexes).toFixed(2)} MB`],
    ["outbox: stage events pending (Redis)", String(await connector.outbox.pendingCount())],
    ["AMI messages queued in process", String(connector.ami.stats.queued)],
    ["worker pool: calls in hand", String(connector.pool.activeCalls)],
  ];
  for (const sp of getHeapSpaceStatistics())
    if (sp.space_used_size > 2 ** 20) rows.push([`heap space ${sp.space_name}`, `${mb(sp.space_used_size).toFixed(1)} MB used of ${mb(sp.space_size).toFixed(1)} MB`]);
  return rows;
}

// Sample until the replay is over and everything reached the portal.
let lastNote = 0;
for (;;) {
  await new Promise((r) => setTimeout(r, 250));
  const live = connector.engine.activeCalls;
  const rss = process.memoryUsage().rss;
  maxRss = Math.max(maxRss, rss);
  if (live > peak.live || (live === peak.live && rss > peak.rss)) {
    peak = { live, rss, at: Date.now() - t0 };
    // The table and GC cost time: take them again only when the peak grew by 2 % (or is complete).
    if (live >= calls || live > tableLive * 1.02) {
      tableLive = live;
      peakHeap = heapUsedAfterGc();
      trackerBytes = trackerStateBytes().total;
      peakTable = await table(live);
      if (live >= calls && process.env.BENCH_SCALE_HEAP_SNAPSHOT && !snapshotWritten) {
        snapshotWritten = true;
        note(`scale: heap snapshot at the peak: ${writeHeapSnapshot(process.env.BENCH_SCALE_HEAP_SNAPSHOT)}`);
      }
    }
  }
  if (Date.now() - lastNote > 10_000) {
    lastNote = Date.now();
    note(
      `scale: ${((Date.now() - t0) / 1000).toFixed(0)} s, ${live} live, ${ended} ended, RSS ${mb(rss).toFixed(0)} MB, ${await connector.outbox.pendingCount()} stage events pending`,
    );
  }
  const p = await peerStats();
  if (p.pbxDone && live === 0 && connector.ami.stats.queued === 0 && connector.pool.activeCalls === 0 && (await connector.outbox.pendingCount()) === 0) break;
}
const p = await peerStats();
await connector.stop();
peer.end();
redis.disconnect();

note(
  `scale: ${p.callsRegistered} calls registered, ${p.callsFinished} finished in Bitrix24, ${p.requests} requests, ${p.limitErrors} limit errors, in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
);
note(
  `scale: peak ${peak.live} live calls at ${(peak.at / 1000).toFixed(0)} s; highest RSS during the run ${mb(maxRss).toFixed(1)} MB; PBX+portal process ${p.rssMb.toFixed(0)} MB (not counted)`,
);
note("scale: at the peak —");
for (const [k, v] of peakTable) note(`  ${k.padEnd(40)} ${v}`);
printHostLoad("scale");
printFigure("scale.live_calls_rss_mb", Number(mb(peak.rss).toFixed(1)), "MB");
printFigure("scale.live_calls", peak.live, "calls");
printFigure("scale.rss_before_calls_mb", Number(mb(baseRss).toFixed(1)), "MB");
printFigure("scale.tracker_state_bytes_per_call", Math.round(trackerBytes / Math.max(1, peak.live)), "bytes");
printFigure("scale.heap_bytes_per_live_call", Math.round((peakHeap - baseHeap) / Math.max(1, peak.live)), "bytes");
printFigure("scale.calls_finished_in_bitrix24", p.callsFinished, "calls");
printFigure("scale.limit_errors", p.limitErrors, "errors");
process.exit(0);
