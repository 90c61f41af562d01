/**
 * Mixed-load soak (docs/soak.md): replicas of every recorded flow at the recorded pace, up to
 * BENCH_SOAK_CONCURRENCY (15) at once on one AMI connection, through the whole connector into the
 * Bitrix24 emulator with cloud limits, on a portal whose register de-duplication ignores
 * EXTERNAL_CALL_ID (an older box; BENCH_SOAK_PORTAL=current for a portal that compares it).
 *
 * The mix includes calls nobody owns (missed in the queue from unknown numbers, answered only by
 * extensions that are no Bitrix24 user): they must land on the credential's user.
 *
 *   soak.calls_landed_ratio        calls registered exactly once and finished / calls placed that belong in the CRM (goal 1)
 *   soak.unowned_calls             of those, calls nobody owns
 *   soak.unowned_landed_ratio      calls nobody owns registered exactly once and finished / placed (goal 1)
 *   soak.calls_right_ratio         … and responsible, status, talk time, cards as expected (goal 1)
 *   soak.max_concurrent_calls      most calls in progress at once
 *   soak.register_p95_ms           first ringing (stage committed) → register reached Bitrix24, p95
 *   soak.finish_p95_ms             end of call (stage committed) → finish reached Bitrix24, p95
 *   soak.register_deduplicated     registers Bitrix24 answered with another call's CALL_ID
 *   soak.limit_errors              503 QUERY_LIMIT_EXCEEDED answers
 */
import { Redis } from "ioredis";
import { note, printFigure, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { silentLogger } from "../src/log/logger.js";
import { describeProblems, p95, runSoak } from "../test/soak/soak.js";

const redis = new Redis(SERVICES.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
await redis.connect().catch(() => {
  note("soak bench needs Redis on 127.0.0.1:6379");
  process.exit(1);
});
redis.disconnect();

const report = await runSoak({
  calls: Number(process.env.BENCH_SOAK_CALLS ?? 150),
  concurrency: Number(process.env.BENCH_SOAK_CONCURRENCY ?? 15),
  speed: 1,
  redisUrl: SERVICES.redis.url,
  redisPrefix: uniquePrefix("bench-soak"),
  dedupByExternalCallId: process.env.BENCH_SOAK_PORTAL === "current",
  logger: silentLogger(),
  note,
});
for (const line of describeProblems(report)) note(line);
note(
  `soak: ${report.calls} calls, ${report.expectedCalls} expected in Bitrix24 (${report.unownedCalls} nobody owns), ${report.landedCalls} landed (${report.unownedLanded} of those nobody owns), ${report.rightCalls} right, in ${(report.wallMs / 1000).toFixed(0)} s`,
);
printFigure("soak.calls_landed_ratio", report.expectedCalls ? report.landedCalls / report.expectedCalls : 0, "ratio");
printFigure("soak.unowned_calls", report.unownedCalls, "calls");
printFigure("soak.unowned_landed_ratio", report.unownedCalls ? report.unownedLanded / report.unownedCalls : 0, "ratio");
printFigure("soak.calls_right_ratio", report.expectedCalls ? report.rightCalls / report.expectedCalls : 0, "ratio");
printFigure("soak.max_concurrent_calls", report.maxConcurrent, "calls");
printFigure("soak.register_p95_ms", p95(report.registerDelays), "ms");
printFigure("soak.finish_p95_ms", p95(report.finishDelays), "ms");
printFigure("soak.register_deduplicated", report.deduplicated, "registers");
printFigure("soak.limit_errors", report.limitErrors, "errors");
process.exit(0);
