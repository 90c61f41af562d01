/**
 * A connector runs for months: what a finished call leaves in Redis must expire. Two runs of the
 * whole stack (3 and 9 calls) on their own prefixes; after every call landed, every key without a
 * TTL is listed. Keys that carry a call's identity must all have a TTL, and the set of keys without
 * one must not depend on how many calls went through (only per-installation state: limiter,
 * counters, indexes trimmed by age, BullMQ's queue bookkeeping; BullMQ's job hashes are removed by
 * age, `removeOnComplete`).
 */
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { loadRecording, replicateRecording, requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { startStack } from "../../src/demo/stack.js";
import { silentLogger } from "../../src/log/logger.js";

const available = await requireService("redis");
const base = loadRecording("01_inbound_ext101_answered");

interface KeyReport {
  /** Keys without a TTL, with the run's prefix replaced by "P". */
  persistent: string[];
  /** Persistent keys that name one of the run's calls. */
  perCall: string[];
  callKeys: string[];
}

async function scanAll(redis: Redis, pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== "0");
  return out;
}

/** BullMQ job hashes (`…:<queue>:<jobId>`, `…:<jobId>:logs`): removed by age (removeOnComplete), not by TTL. */
function isBullJob(key: string, queues: string[]): boolean {
  return queues.some(
    (q) =>
      key.startsWith(`${q}:`) &&
      !/:(meta|id|events|wait|paused|active|completed|failed|delayed|prioritized|stalled-check|stalled|limiter|marker|pc|repeat|de|waiting-children)$/.test(key),
  );
}

async function runAndReport(calls: number): Promise<KeyReport> {
  const prefix = uniquePrefix("expiry");
  const stack = await startStack({
    recordings: [replicateRecording(base, calls, 50)],
    speed: "asap",
    redisUrl: SERVICES.redis.url,
    redisPrefix: prefix,
    limits: false,
    logger: silentLogger(),
  });
  const redis = new Redis(SERVICES.redis.url);
  try {
    await stack.idle();
    const journal = await stack.connector.journal.list({ limit: 1000 });
    expect(journal).toHaveLength(calls);
    expect(journal.every((c) => c.status === "delivered")).toBe(true);
    const ids = [...journal.map((c) => c.callKey), ...journal.flatMap((c) => (c.crmCallId ? [c.crmCallId] : []))];
    const keys = [...(await scanAll(redis, `${prefix}*`)), ...(await scanAll(redis, `bull:c2c-${prefix.replace(/[^A-Za-z0-9_-]/g, "_")}*`))];
    const queues = [...new Set(keys.filter((k) => k.endsWith(":meta")).map((k) => k.slice(0, -":meta".length)))];
    const persistent: string[] = [];
    for (const key of keys) {
      if ((await redis.ttl(key)) !== -1) continue;
      if (isBullJob(key, queues)) continue;
      persistent.push(key);
    }
    // The one index that names calls (journal:by-time) is trimmed by age, not by TTL.
    const index = `${prefix}:journal:by-time`;
    expect(await redis.zcard(index)).toBe(calls);
    await stack.connector.journal.prune(Date.now() + 366 * 24 * 3600_000);
    expect(await redis.zcard(index)).toBe(0);
    return {
      persistent: persistent
        .map((k) =>
          k
            .split(prefix)
            .join("P")
            .replace(/c2c-[A-Za-z0-9_-]+/, "c2c-P")
            .replace(/127\.0\.0\.1_\d+/, "PORTAL"),
        )
        .sort(),
      perCall: persistent.filter((k) => ids.some((id) => k.includes(id))),
      callKeys: journal.map((c) => c.callKey),
    };
  } finally {
    await stack.close();
    for (const k of await scanAll(redis, `${prefix}*`)) await redis.del(k);
    redis.disconnect();
  }
}

describe.runIf(available)("Redis keys of finished calls", () => {
  it("all expire: no key naming a call lives for ever, and the keys without a TTL do not grow with the calls", async () => {
    const small = await runAndReport(3);
    const large = await runAndReport(9);
    expect(small.perCall).toEqual([]);
    expect(large.perCall).toEqual([]);
    expect(large.persistent).toEqual(small.persistent);
  });
});
