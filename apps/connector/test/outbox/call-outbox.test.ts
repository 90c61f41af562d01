import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICES, requireService, uniquePrefix } from "@asterisk-b24/testkit";
import { CallOutbox } from "../../src/outbox/call-outbox.js";
import { CallWorkerPool } from "../../src/outbox/call-worker-pool.js";

const available = await requireService("redis");

describe.runIf(available)("call outbox and worker pool (real Redis)", () => {
  let redis: Redis;
  const redisList: Redis[] = [];
  beforeAll(() => {
    redis = new Redis(SERVICES.redis.url);
  });
  afterAll(async () => {
    for (const r of [redis, ...redisList]) r.disconnect();
  });

  it("persists call states and resumes them", async () => {
    const outbox = new CallOutbox(redis, uniquePrefix("outbox"));
    await outbox.commit([
      { callKey: "a", state: { n: 1 }, stages: ["a1"] },
      { callKey: "b", state: { n: 2 }, stages: [] },
    ]);
    await outbox.commit([{ callKey: "b", state: null, stages: ["b-end"] }]);
    const states = await outbox.loadActiveStates();
    expect([...states.entries()]).toEqual([["a", { n: 1 }]]);
    expect((await outbox.pendingCalls(10)).sort()).toEqual(["a", "b"]);
  });

  it("stores stage events deflated, and reads plain JSON entries older versions wrote", async () => {
    const prefix = uniquePrefix("deflate");
    const outbox = new CallOutbox(redis, prefix);
    const leg = (n: number) => ({ id: `1700000000.${n}`, name: `PJSIP/10${n}-0000000${n}`, state: "up", from: { number: "79161234567", kind: "client" } });
    const stage = { stage: "call_ended", callKey: "k", call: { conversations: Object.fromEntries([1, 2, 3, 4].map((n) => [`c${n}`, { channel: leg(n) }])) } };
    await redis.rpush(`${prefix}:call:k:outbox`, JSON.stringify({ stage: "conversation_requested", callKey: "k" }));
    await outbox.commit([{ callKey: "k", state: null, stages: [stage] }]);
    expect(await outbox.readAll("k")).toEqual([{ stage: "conversation_requested", callKey: "k" }, stage]);
    expect((await outbox.readPending("k")).map((p) => p.index)).toEqual([0, 1]);
    expect(await outbox.readLast("k")).toEqual(stage);
    const stored = await redis.lindexBuffer(`${prefix}:call:k:outbox`, 1);
    expect(stored!.length).toBeLessThan(Buffer.byteLength(JSON.stringify(stage)) / 2);
  });

  it("handles stages in order per call and in parallel across calls", async () => {
    const outbox = new CallOutbox(redis, uniquePrefix("order"));
    const seen = new Map<string, number[]>();
    let inFlightPerCall = 0;
    let maxParallelCalls = 0;
    const active = new Set<string>();
    const pool = new CallWorkerPool(
      outbox,
      async (callKey, stage) => {
        if (active.has(callKey)) inFlightPerCall++;
        active.add(callKey);
        maxParallelCalls = Math.max(maxParallelCalls, active.size);
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        const list = seen.get(callKey) ?? [];
        list.push(stage as number);
        seen.set(callKey, list);
        active.delete(callKey);
      },
      { concurrency: 8, pollMs: 20 },
    );
    pool.start();
    for (let i = 0; i < 20; i++) {
      await outbox.commit(Array.from({ length: 10 }, (_, c) => ({ callKey: `c${c}`, state: { i }, stages: [i] })));
      pool.notify();
    }
    await pool.idle();
    await pool.stop();
    expect(inFlightPerCall).toBe(0);
    expect(maxParallelCalls).toBeGreaterThan(1);
    for (let c = 0; c < 10; c++) expect(seen.get(`c${c}`)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("retries a failing stage and never skips it", async () => {
    const outbox = new CallOutbox(redis, uniquePrefix("retry"));
    let attempts = 0;
    const handled: unknown[] = [];
    const pool = new CallWorkerPool(
      outbox,
      async (_key, stage) => {
        if (stage === "s2" && attempts++ < 2) throw new Error("Bitrix24 is down");
        handled.push(stage);
      },
      { pollMs: 10, retryDelayMs: 10 },
    );
    await outbox.commit([{ callKey: "x", state: {}, stages: ["s1", "s2", "s3"] }]);
    pool.start();
    await pool.idle();
    await pool.stop();
    expect(handled).toEqual(["s1", "s2", "s3"]);
    expect(attempts).toBe(3);
  });

  it("a second process takes over a call whose worker died mid-stage", async () => {
    const prefix = uniquePrefix("takeover");
    const r1 = new Redis(SERVICES.redis.url);
    redisList.push(r1);
    const first = new CallOutbox(r1, prefix);
    await first.commit([{ callKey: "k", state: {}, stages: ["one", "two"] }]);
    // the first process leased the call and died before acknowledging "one"
    expect(await first.tryLock("k", "dead-owner", 200)).toBe(true);
    r1.disconnect();

    const second = new CallOutbox(redis, prefix);
    const handled: unknown[] = [];
    const pool = new CallWorkerPool(second, async (_k, s) => void handled.push(s), { pollMs: 20 });
    pool.start();
    await pool.idle();
    await pool.stop();
    expect(handled).toEqual(["one", "two"]);
  });
});
