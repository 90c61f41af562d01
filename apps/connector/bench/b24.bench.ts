/**
 * Bitrix24 client throughput against the emulator with cloud limits (burst 50, drain 2/s):
 *   b24.batched.commands_per_s         sustained, after the initial burst is spent (goal ≥ 95 of the 100/s cap)
 *   b24.naive.commands_per_s           the same workload, one request per command
 *   b24.limit_errors                   503s the portal sent during the batched run (goal 0)
 *   b24.slow5s.lanes_{1,4,8}.commands_per_s   every answer takes 5 s: lanes keep batches in flight
 * Needs Redis on 127.0.0.1:6379. Whole file ≈ 2.5 minutes.
 */
import { printFigure, note, startB24Emulator, uniquePrefix } from "@asterisk-b24/testkit";
import { Redis } from "ioredis";
import { B24Client, webhookAuth } from "../src/crm/index.js";

const USERS = [{ ID: 1, NAME: "Operator", UF_PHONE_INNER: "101", ACTIVE: true }];
let seq = 0;

function registerParams() {
  const i = seq++;
  return { USER_ID: 1, PHONE_NUMBER: `+7901${String(i).padStart(7, "0")}`, TYPE: 2, EXTERNAL_CALL_ID: `bench-${i}`, SHOW: 0 };
}

async function dropPrefix(prefix: string) {
  const r = new Redis({ host: "127.0.0.1", port: 6379 });
  let cursor = "0";
  do {
    const [next, keys] = await r.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length) await r.del(...keys);
  } while (cursor !== "0");
  r.disconnect();
}

interface Run {
  commands: number;
  doneAt: number[]; // completion time of every command, ms since start
  limitErrors: number;
  requests: number;
}

async function run(label: string, n: number, opts: { maxCommands: number; lanes: number; latencyMs?: number }): Promise<Run> {
  const emu = await startB24Emulator({ webhook: { userId: 1, code: "bench" }, users: USERS, limits: { burst: 50, drainPerSec: 2 } });
  if (opts.latencyMs) emu.setFaults({ latencyMs: opts.latencyMs });
  const prefix = uniquePrefix(`bench-${label}`);
  const client = new B24Client({
    portal: "bench",
    prefix,
    auth: webhookAuth(emu.webhookUrl),
    lanes: opts.lanes,
    batch: { maxCommands: opts.maxCommands, windowMs: 10 },
    limits: { burst: 50, drainPerSec: 2 },
  });
  const t0 = performance.now();
  const doneAt: number[] = [];
  let failed = 0;
  await Promise.all(
    Array.from({ length: n }, () =>
      client.call("telephony.externalcall.register", registerParams()).then(
        () => doneAt.push(performance.now() - t0),
        () => failed++,
      ),
    ),
  );
  const stats = emu.stats();
  await client.close();
  await emu.close();
  await dropPrefix(prefix);
  if (failed) note(`${label}: ${failed} commands failed`);
  doneAt.sort((a, b) => a - b);
  return { commands: n, doneAt, limitErrors: stats.limitErrors, requests: stats.requests };
}

/**
 * Commands per second once the burst is spent: from the completion of the first request after the
 * burst (`skip` commands, then one request of `per`) to the last completion, counting the commands
 * completed in between — whole drain intervals only, so neither the burst nor its processing time
 * inflates or deflates the figure.
 */
function sustained(r: Run, skip: number, per: number): number {
  const first = skip + per; // commands done when the first post-burst request completed
  const from = r.doneAt[first - 1]!;
  const to = r.doneAt[r.doneAt.length - 1]!;
  return ((r.doneAt.length - first) / (to - from)) * 1000;
}

// Batched: the burst (48 requests × 50) goes out at once, then 40 s at the drain rate.
const burstCommands = 48 * 50;
const batched = await run("batched", burstCommands + 100 * 40, { maxCommands: 50, lanes: 4 });
const batchedRate = sustained(batched, burstCommands, 50);
note(
  `batched: ${batched.commands} commands in ${batched.requests} requests, ${(batched.doneAt.at(-1)! / 1000).toFixed(1)} s total; sustained rate measured after the first ${burstCommands} (burst)`,
);
printFigure("b24.batched.commands_per_s", batchedRate, "commands/s");
printFigure("b24.limit_errors", batched.limitErrors, "errors");

// Naive: one request per command; 48 in the burst, then 30 at 2/s.
const naive = await run("naive", 48 + 30, { maxCommands: 1, lanes: 4 });
printFigure("b24.naive.commands_per_s", sustained(naive, 48, 1), "commands/s");
note(`naive: ${naive.requests} requests, ${naive.limitErrors} limit errors`);

// Slow portal: 5 s per answer; lanes keep several batches in flight (≈ 20 s each run).
for (const lanes of [1, 4, 8]) {
  const r = await run(`slow-${lanes}`, 200 * lanes, { maxCommands: 50, lanes, latencyMs: 5000 });
  printFigure(`b24.slow5s.lanes_${lanes}.commands_per_s`, (r.commands / r.doneAt.at(-1)!) * 1000, "commands/s");
  note(`slow5s lanes=${lanes}: ${r.commands} commands in ${(r.doneAt.at(-1)! / 1000).toFixed(1)} s, ${r.limitErrors} limit errors`);
}
process.exit(0);
