import { SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import pino from "pino";
import { describeProblems, p95, runSoak } from "./soak.js";
const logger = pino({ level: process.env.LOG_LEVEL ?? "warn" }, pino.destination(2));
const r = await runSoak({ calls: Number(process.env.CALLS ?? 150), concurrency: Number(process.env.CONC ?? 15), speed: Number(process.env.SPEED ?? 1), redisUrl: SERVICES.redis.url, redisPrefix: uniquePrefix("soak-dev"), dedupByExternalCallId: process.env.LEGACY !== "1", logger, note: (l) => console.error(l) });
console.log(describeProblems(r).join("\n"));
console.log({ expected: r.expectedCalls, landed: r.landedCalls, right: r.rightCalls, maxConc: r.maxConcurrent, dedup: r.deduplicated, limitErrors: r.limitErrors, wall: r.wallMs, regP95: p95(r.registerDelays), finP95: p95(r.finishDelays) });
process.exit(0);
