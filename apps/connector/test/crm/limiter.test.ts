import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { RedisLimiter } from "../../src/crm/limiter.js";
import { OperatingTracker } from "../../src/crm/operating.js";
import { dropPrefix, newRedis, redisOrSkip, uniquePrefix } from "./helpers.js";

const up = await redisOrSkip();
const prefix = uniquePrefix("crm-limiter");
let a: Redis;
let b: Redis;

beforeAll(() => {
  a = newRedis();
  b = newRedis();
});
afterAll(async () => {
  if (up) await dropPrefix(a, prefix);
  a.disconnect();
  b.disconnect();
});

describe.skipIf(!up)("shared Redis limiter", () => {
  it("two instances on separate connections share one bucket and one FIFO schedule", async () => {
    const cfg = { burst: 50, drainPerSec: 2, safety: 2, maxReserveMs: 60_000 };
    const la = new RedisLimiter(a, prefix, "shared", cfg);
    const lb = new RedisLimiter(b, prefix, "shared", cfg);
    const waits: number[] = [];
    for (let i = 0; i < 60; i++) {
      const r = await (i % 2 ? lb : la).reserve();
      expect(r.granted).toBe(true);
      waits.push(r.waitMs);
    }
    // 48 (= burst − safety) go at once, then one slot per 500 ms, whichever instance asks
    expect(waits.slice(0, 48).every((w) => w === 0)).toBe(true);
    for (let k = 1; k <= 12; k++) {
      expect(waits[47 + k]).toBeGreaterThan(k * 500 - 150);
      expect(waits[47 + k]).toBeLessThanOrEqual(k * 500 + 1);
    }
  });

  it("does not reserve beyond maxReserveMs", async () => {
    const l = new RedisLimiter(a, prefix, "capped", { burst: 3, drainPerSec: 1, safety: 0, maxReserveMs: 1500 });
    const r = [];
    for (let i = 0; i < 6; i++) r.push(await l.reserve());
    expect(r.map((x) => x.granted)).toEqual([true, true, true, true, false, false]);
    expect((await l.state()).level).toBeGreaterThan(3.9);
  });

  it("resyncs on a 503: the bucket is full now for every instance, the drain rate stays the portal's", async () => {
    const la = new RedisLimiter(a, prefix, "adapt", { burst: 50, drainPerSec: 2, safety: 2 });
    const lb = new RedisLimiter(b, prefix, "adapt", { burst: 50, drainPerSec: 2, safety: 2 });
    await la.reserve();
    await la.resync();
    const s1 = await lb.state();
    expect(s1.factor).toBe(1);
    expect(s1.capacity).toBe(48);
    expect(s1.level).toBeGreaterThan(48);
    // full plus one drain interval of pause: the next slot is about two intervals away, for everyone
    const next = await lb.reserve();
    expect(next.granted).toBe(true);
    expect(next.waitMs).toBeGreaterThan(700);
    expect(next.waitMs).toBeLessThanOrEqual(1001);
  });

  it("slows down only when 503s repeat (the portal is tighter than configured)", async () => {
    const la = new RedisLimiter(a, prefix, "repeat", { burst: 50, drainPerSec: 2, safety: 2 });
    const lb = new RedisLimiter(b, prefix, "repeat", { burst: 50, drainPerSec: 2, safety: 2 });
    await la.resync();
    await lb.resync();
    const s = await la.state();
    expect(s.factor).toBeCloseTo(0.8, 3);
    expect(s.capacity).toBe(43);
    await lb.resync();
    expect((await la.state()).factor).toBeCloseTo(0.64, 3);
  });
});

describe.skipIf(!up)("operating-time tracker", () => {
  it("slows a method near the budget and blocks it at the budget, for every worker", async () => {
    const t1 = new OperatingTracker(a, prefix, "op", { limitSec: 100, marginSec: 5, maxDelayMs: 7000 });
    const t2 = new OperatingTracker(b, prefix, "op", { limitSec: 100, marginSec: 5, maxDelayMs: 7000 });
    const reset = Math.floor(Date.now() / 1000) + 120;
    await t1.record([["crm.activity.list", { operating: 10, operating_reset_at: reset }]]);
    expect(await t2.delayFor(["crm.activity.list"])).toBe(0);
    await t1.record([["crm.activity.list", { operating: 90, operating_reset_at: reset }]]);
    const t3 = new OperatingTracker(b, prefix, "op", { limitSec: 100, marginSec: 5, maxDelayMs: 7000 });
    const slow = await t3.delayFor(["crm.activity.list"]);
    expect(slow).toBeGreaterThan(3000);
    expect(slow).toBeLessThan(7000);
    await t1.record([["batch", { operating: 96, operating_reset_at: reset }]]);
    const t4 = new OperatingTracker(b, prefix, "op", { limitSec: 100, marginSec: 5 });
    expect(await t4.delayFor(["batch", "user.get"])).toBeGreaterThan(100_000);
    expect(await t4.delayFor(["user.get"])).toBe(0);
  });
});
