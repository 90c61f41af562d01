/**
 * Reprocessing throughput: calls rebuilt from CEL rows in real MariaDB and landed in the strict
 * Bitrix24 emulator through the connector's batch queue, under the cloud limit (50 burst, 2
 * requests/s), at reprocessing's lower priority.
 *
 *   reprocess.calls_per_s   calls landed per second, sustained (after the portal's burst): the
 *                           commands Bitrix24 took per second once only the drain is left, divided
 *                           by the commands one call needed (statistics pages, register, finish)
 *
 * Recordings are off here (an upload is two more requests per call and measures the disk, not
 * reprocessing). Needs Redis and MariaDB on 127.0.0.1.
 */
import { note, printFigure, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { startStack } from "../src/demo/stack.js";
import { silentLogger } from "../src/log/logger.js";
import { afterBurst } from "./after-burst.js";
import { firstCelTime, loadCelTables, recordingRows } from "../test/reprocess/cel-db.js";

const CALLS = Number(process.env.REPROCESS_BENCH_CALLS ?? 2000);
const NAME = "01_inbound_ext101_answered";
const DAY = 86_400_000;

const now = Date.now();
// CALLS copies of the call, 20 s apart, ending a few hours ago.
const spacing = 20_000;
const shift = now - 6 * 3600_000 - CALLS * spacing - (await firstCelTime([NAME]));
note(`loading ${CALLS} calls' CEL into MariaDB…`);
const cel = await loadCelTables("mysql", `rp_bench_${process.pid}`, await recordingRows([NAME], shift, CALLS, spacing));
const stack = await startStack({
  recordings: [],
  speed: "asap",
  redisUrl: SERVICES.redis.url,
  redisPrefix: uniquePrefix("bench-reprocess"),
  limits: { burst: 50, drainPerSec: 2 },
  logger: silentLogger(),
  config: { cel: cel.config, recordings: { enabled: false }, reprocess: { schedule: false } } as never,
});
try {
  const started = Date.now();
  const run = await stack.connector.reprocess.submit({ from: new Date(now - 7 * DAY).toISOString(), to: new Date(now).toISOString(), only: "all", dryRun: false, trigger: "api" });
  let final = await stack.connector.reprocess.get(run.id);
  while (!final || !["done", "failed", "cancelled"].includes(final.status)) {
    await new Promise((r) => setTimeout(r, 200));
    final = await stack.connector.reprocess.get(run.id);
  }
  const wall = (Date.now() - started) / 1000;
  if (final.status !== "done") throw new Error(`run ${final.status}: ${final.error ?? ""}`);
  const landed = stack.emu.calls().filter((c) => c.finish).length;
  const tail = afterBurst(stack.emu);
  const perCall = tail.totalCommands / landed;
  const stats = stack.emu.stats();
  note(
    `${landed}/${CALLS} calls landed in ${wall.toFixed(1)} s (counts ${JSON.stringify(final.counts)}); ${stats.requests} requests, ${tail.totalCommands} commands, ${perCall.toFixed(2)} per call; ${stats.limitErrors} limit errors`,
  );
  note(`after the burst: ${tail.requests} requests carried ${tail.commands} commands in ${tail.seconds.toFixed(1)} s`);
  if (landed !== CALLS) throw new Error(`only ${landed} of ${CALLS} calls landed`);
  printFigure("reprocess.calls_per_s", tail.commands / tail.seconds / perCall, "calls/s");
} finally {
  await stack.close();
  await cel.drop().catch(() => undefined);
}
