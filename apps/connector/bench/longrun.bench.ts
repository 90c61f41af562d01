/**
 * A week of a 20,000 calls/day centre, compressed: the real recordings' flows (queue, ring group,
 * missed, transfer, hold, outbound, internal) replayed again and again with fresh call ids, as
 * fast as the connector takes them, through the tracker, Redis outbox, stages and batched client
 * into a fast emulated portal without limits. The PBX and portal run in another process
 * (scale-peer.ts), so this process's memory is the connector's.
 *
 *   longrun.calls                         calls the connector finished (each through Bitrix24)
 *   longrun.rss_growth_mb_per_hour        RSS slope after warm-up (least squares over samples,
 *                                         MB per call) × 20,000 / 24 calls an hour (goal ≈ 0)
 *   longrun.heap_growth_kb_per_hour       the same for the V8 heap used after a full GC
 *   longrun.redis_bytes_per_finished_call Redis used_memory growth ÷ calls finished between two
 *                                         points after warm-up (what finished calls keep until it expires)
 *
 * A whole week is 140,000 calls: BENCH_LONGRUN_CALLS=140000 (hours on a 2-core host); the default
 * (BENCH_LONGRUN_CALLS=2500, BENCH_LONGRUN_WARMUP=500) finishes in a few minutes and extrapolates
 * the measured slope per call to an hour of the centre's traffic.
 */
import { Redis } from "ioredis";
import { note, printFigure, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { silentLogger } from "../src/log/logger.js";
import { Connector } from "../src/runtime/connector.js";
import { printHostLoad } from "./host.js";
import { peerConnectorConfig, startPeerProcess } from "./peer-process.js";
import type { PeerOptions } from "./scale-peer.js";

const FLOWS = [
  "01_inbound_ext101_answered",
  "02_inbound_queue_sales_102_answers",
  "03_inbound_queue_missed",
  "06_outbound_answered",
  "07_outbound_busy",
  "08_outbound_noanswer",
  "09_inbound_blind_transfer_101_to_102",
  "14_internal_101_to_102",
  "15_inbound_hold_long_call",
  "17a_inbound_ringgroup_102_answers",
];
const target = Number(process.env.BENCH_LONGRUN_CALLS ?? 2500);
const warmup = Number(process.env.BENCH_LONGRUN_WARMUP ?? Math.min(500, Math.floor(target / 5)));
const CALLS_PER_HOUR = 20_000 / 24;
// One pass of the loop: every flow 3 times, starting 2 s apart (recorded), so calls overlap.
const peerOptions: PeerOptions = { flows: FLOWS, calls: FLOWS.length * 3, spreadMs: FLOWS.length * 3 * 2000, speed: "asap", limits: false, loop: true };

const redis = new Redis(SERVICES.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
await redis.connect().catch(() => {
  note("longrun bench needs Redis on 127.0.0.1:6379");
  process.exit(1);
});
const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info("memory"))![1]);

const mb = (bytes: number) => bytes / 2 ** 20;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

const peer = await startPeerProcess(peerOptions, "longrun bench");
const ready = peer.ready;

const prefix = uniquePrefix("bench-longrun");
const config = peerConnectorConfig(ready, prefix, { burst: 100_000, drainPerSec: 10_000 }, "longrun bench");

let done = 0;
const connector = new Connector({ config, logger: silentLogger(), onCallDone: () => void done++ });
const t0 = Date.now();
await connector.start();

interface Sample {
  calls: number;
  rss: number;
  heap: number;
  redis: number;
}
const samples: Sample[] = [];
const step = Math.max(50, Math.floor((target - warmup) / 40));
let next = warmup;
let lastNote = 0;
while (done < target) {
  await new Promise((r) => setTimeout(r, 200));
  if (done >= next) {
    next += step;
    gc();
    gc();
    const m = process.memoryUsage();
    samples.push({ calls: done, rss: m.rss, heap: m.heapUsed, redis: await usedMemory() });
  }
  if (Date.now() - lastNote > 15_000) {
    lastNote = Date.now();
    const s = (Date.now() - t0) / 1000;
    note(`longrun: ${done} calls in ${s.toFixed(0)} s (${(done / s).toFixed(1)}/s), ${connector.engine.activeCalls} live, RSS ${mb(process.memoryUsage().rss).toFixed(0)} MB`);
  }
}
const wallS = (Date.now() - t0) / 1000;
const p = await peer.stats();
await connector.stop();
peer.end();

/**
 * What the run left in Redis under its prefix, by kind of key (ids replaced by *): how many, bytes
 * (MEMORY USAGE), and the TTL range (-1 = none).
 */
async function keyTable(r: Redis, pfx: string): Promise<string[]> {
  const kinds = new Map<string, { n: number; bytes: number; minTtl: number; maxTtl: number }>();
  let cursor = "0";
  do {
    const [nextCursor, keys] = await r.scan(cursor, "MATCH", `${pfx}*`, "COUNT", 1000);
    cursor = nextCursor;
    for (const key of keys) {
      const kind = key
        .slice(pfx.length)
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "*")
        .replace(/[0-9a-f]*\d[0-9a-f]*\.\d+/gi, "*")
        .replace(/\d+(\.\d+)?/g, "*");
      const [bytes, ttl] = await Promise.all([r.memory("USAGE", key), r.ttl(key)]);
      const k = kinds.get(kind) ?? { n: 0, bytes: 0, minTtl: Infinity, maxTtl: -Infinity };
      k.n++;
      k.bytes += Number(bytes ?? 0);
      k.minTtl = Math.min(k.minTtl, ttl);
      k.maxTtl = Math.max(k.maxTtl, ttl);
      kinds.set(kind, k);
    }
  } while (cursor !== "0");
  const rows = [...kinds.entries()].sort((a, b) => b[1].bytes - a[1].bytes);
  return [
    "longrun: Redis keys left by the run (kind, count, bytes, TTL s min..max; -1 = none):",
    ...rows.map(([kind, k]) => `  ${kind.padEnd(50)} ${String(k.n).padStart(7)} ${String(k.bytes).padStart(11)}  ${k.minTtl}..${k.maxTtl}`),
  ];
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
const xs = samples.map((s) => s.calls);
const rssPerCall = slope(
  xs,
  samples.map((s) => s.rss),
);
const heapPerCall = slope(
  xs,
  samples.map((s) => s.heap),
);
const redisPerCall = slope(
  xs,
  samples.map((s) => s.redis),
);
const first = samples[0]!;
const last = samples[samples.length - 1]!;
note(
  `longrun: ${done} calls in ${wallS.toFixed(0)} s = ${(done / CALLS_PER_HOUR).toFixed(1)} h of a 20,000 calls/day centre; ${p.callsFinished} finished in Bitrix24, ${p.requests} requests`,
);
note(
  `longrun: after ${warmup} calls of warm-up, ${samples.length} samples: RSS ${mb(first.rss).toFixed(1)} → ${mb(last.rss).toFixed(1)} MB, heap after GC ${mb(first.heap).toFixed(1)} → ${mb(last.heap).toFixed(1)} MB, Redis ${mb(first.redis).toFixed(1)} → ${mb(last.redis).toFixed(1)} MB`,
);
note(`longrun: slopes per call: RSS ${rssPerCall.toFixed(0)} B, heap ${heapPerCall.toFixed(0)} B, Redis ${redisPerCall.toFixed(0)} B; × ${CALLS_PER_HOUR.toFixed(0)} calls/h`);
for (const line of await keyTable(redis, prefix)) note(line);
printHostLoad("longrun");
printFigure("longrun.calls", done, "calls");
printFigure("longrun.rss_growth_mb_per_hour", Number(mb(rssPerCall * CALLS_PER_HOUR).toFixed(3)), "MB/h");
printFigure("longrun.heap_growth_kb_per_hour", Number(((heapPerCall * CALLS_PER_HOUR) / 1024).toFixed(1)), "KB/h");
printFigure("longrun.redis_bytes_per_finished_call", Math.round(redisPerCall), "bytes");
redis.disconnect();
process.exit(0);
