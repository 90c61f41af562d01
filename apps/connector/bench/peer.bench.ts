/**
 * Ours versus a one-request-per-command connector, in one run, on one emulated portal with the
 * cloud limit (50 burst, 2 requests/s). The same bursts of 20 and 60 calls go through:
 *
 *   - ours: the recorded call (01_inbound_ext101_answered) replicated, through the whole connector
 *     (tracker, outbox, stages, batched client, shared limiter);
 *   - single: a minimal client written here the way single-request connectors behave: every
 *     command its own HTTP request (register, finish, attachRecord with the file inline), calls
 *     handled concurrently, no batch, no shared limiter, a 503 retried after a fixed 1 s pause.
 *
 * The portal's bucket is left to drain fully before each run.
 *
 *   peer.<n>.ours.requests_per_call / peer.<n>.single.requests_per_call   HTTP requests per call
 *   peer.<n>.ours.calls_per_s / peer.<n>.single.calls_per_s               calls ÷ (first → last request)
 *   peer.<n>.ours.limit_errors / peer.<n>.single.limit_errors             503 answers
 *   peer.requests_per_call                single ÷ ours requests per call, 60-call burst
 *   peer.calls_per_s_ratio                ours ÷ single calls per second, 60-call burst
 *
 *   BENCH_PEER_BURSTS (20,60)
 */
import { Redis } from "ioredis";
import { DEMO_USERS, loadRecording, note, printFigure, replicateRecording, SERVICES, uniquePrefix, type B24Emulator } from "@asterisk-b24/testkit";
import { startStack } from "../src/demo/stack.js";
import { silentLogger } from "../src/log/logger.js";
import { printHostLoad } from "./host.js";

const LIMITS = { burst: 50, drainPerSec: 2 };
const RETRY_PAUSE_MS = 1000;
const base = loadRecording("01_inbound_ext101_answered");
const bursts = (process.env.BENCH_PEER_BURSTS ?? "20,60").split(",").map(Number);

interface Run {
  calls: number;
  requests: number;
  commands: number;
  seconds: number;
  limitErrors: number;
}

/** What the portal saw since request id `fromId`. */
function runOf(emu: B24Emulator, fromId: number, calls: number): Run {
  const all = emu.requests().filter((r) => r.id > fromId);
  const top = all.filter((r) => r.batchOf === undefined && r.method !== "");
  const at = top.map((r) => r.at);
  return {
    calls,
    requests: top.length,
    commands: all.filter((r) => r.batchOf !== undefined).length + top.filter((r) => r.method !== "batch").length,
    seconds: at.length > 1 ? (Math.max(...at) - Math.min(...at)) / 1000 : NaN,
    limitErrors: top.filter((r) => r.status === 503).length,
  };
}

const lastId = (emu: B24Emulator) => emu.requests().reduce((m, r) => Math.max(m, r.id), 0);
const drain = () => new Promise((r) => setTimeout(r, (LIMITS.burst / LIMITS.drainPerSec) * 1000 + 1000));

/** One REST call the single-request way: POST, and on 503 wait a fixed pause and try again. */
async function single<T>(webhookUrl: string, method: string, params: Record<string, unknown>): Promise<T> {
  for (;;) {
    const res = await fetch(`${webhookUrl}${method}.json`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(params) });
    const body = (await res.json()) as { result?: T; error?: string; error_description?: string };
    if (res.status === 503) {
      await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
      continue;
    }
    if (!res.ok || body.error) throw new Error(`${method}: ${res.status} ${body.error ?? ""} ${body.error_description ?? ""}`);
    return body.result as T;
  }
}

/** A single-request connector's work for one answered inbound call with a recording. */
async function singleCall(webhookUrl: string, i: number, n: number): Promise<void> {
  const user = DEMO_USERS[i % 2]!;
  const { CALL_ID } = await single<{ CALL_ID: string }>(webhookUrl, "telephony.externalcall.register", {
    USER_ID: user.ID,
    PHONE_NUMBER: `7916${String(1000000 + n * 1000 + i).padStart(7, "0")}`,
    TYPE: 2,
    CALL_START_DATE: new Date().toISOString(),
    CRM_CREATE: 1,
    SHOW: 1,
    LINE_NUMBER: "74951234567",
    EXTERNAL_CALL_ID: `single-${n}-${i}`,
  });
  await single(webhookUrl, "telephony.externalcall.finish", { CALL_ID, USER_ID: user.ID, DURATION: 20, STATUS_CODE: 200 });
  await single(webhookUrl, "telephony.externalcall.attachRecord", { CALL_ID, FILENAME: `single-${n}-${i}.wav`, FILE_CONTENT: Buffer.alloc(16_000).toString("base64") });
}

async function oursRun(n: number): Promise<{ run: Run; emu: B24Emulator; close(): Promise<void> }> {
  const stack = await startStack({
    recordings: [replicateRecording(base, n, 20)],
    speed: "asap",
    redisUrl: SERVICES.redis.url,
    redisPrefix: uniquePrefix("bench-peer"),
    limits: LIMITS,
    settleAfterInstall: true,
    logger: silentLogger(),
  });
  // Installation requests (the b24-app's binds) happened before; count from the connector's first.
  const from = lastId(stack.emu);
  await stack.idle();
  return { run: runOf(stack.emu, from, n), emu: stack.emu, close: () => stack.close() };
}

async function singleRun(emu: B24Emulator, n: number): Promise<Run> {
  await drain();
  const from = lastId(emu);
  await Promise.all(Array.from({ length: n }, (_, i) => singleCall(emu.webhookUrl, i, n)));
  return runOf(emu, from, n);
}

const redis = new Redis(SERVICES.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
await redis.connect().catch(() => {
  note("peer bench needs Redis on 127.0.0.1:6379");
  process.exit(1);
});
redis.disconnect();

printHostLoad("peer");
const figures: Array<{ n: number; ours: Run; single: Run }> = [];
for (const n of bursts) {
  const ours = await oursRun(n);
  try {
    const s = await singleRun(ours.emu, n);
    figures.push({ n, ours: ours.run, single: s });
  } finally {
    await ours.close();
  }
}
for (const { n, ours, single: s } of figures) {
  for (const [who, r] of [
    ["ours", ours],
    ["single", s],
  ] as const) {
    note(`peer ${n} calls, ${who}: ${r.requests} requests for ${r.commands} commands in ${r.seconds.toFixed(1)} s, ${r.limitErrors} limit errors`);
    printFigure(`peer.${n}.${who}.requests_per_call`, Number((r.requests / r.calls).toFixed(3)), "requests/call");
    printFigure(`peer.${n}.${who}.calls_per_s`, Number((r.calls / r.seconds).toFixed(3)), "calls/s");
    printFigure(`peer.${n}.${who}.limit_errors`, r.limitErrors, "errors");
  }
}
const big = figures[figures.length - 1]!;
printFigure("peer.requests_per_call", Number((big.single.requests / big.single.calls / (big.ours.requests / big.ours.calls)).toFixed(2)), "ratio");
printFigure("peer.calls_per_s_ratio", Number((big.ours.calls / big.ours.seconds / (big.single.calls / big.single.seconds)).toFixed(2)), "ratio");
printHostLoad("peer_end");
process.exit(0);
