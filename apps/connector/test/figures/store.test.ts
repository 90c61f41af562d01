import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { Metrics } from "../../src/http/metrics.js";
import { QueueFigures } from "../../src/figures/index.js";
import { onlyCall, replayRecording } from "../tracker/replay.js";

const available = await requireService("redis");

describe.runIf(available)("figures store (real Redis)", () => {
  const redis = available ? new Redis(SERVICES.redis.url) : (undefined as never);
  afterAll(() => redis?.disconnect());

  it("a call saved twice (retried call_ended) counts once, in the store and in /metrics; prune drops old calls", async () => {
    const metrics = new Metrics();
    const figures = new QueueFigures(redis, uniquePrefix("figures"), { timeZone: "UTC", serviceLevelSeconds: 20, retentionDays: 1 }, metrics);
    const call = onlyCall(replayRecording("03_inbound_queue_missed", undefined, true));
    await figures.record(call);
    await figures.record(call);
    const period = { fromMs: call.started_at - 1000, toMs: call.started_at + 60_000, kind: "custom" };
    const f = await figures.figures(period, (ext) => (ext === "101" ? { id: 1, name: "Ann" } : undefined));
    expect(f.totals).toMatchObject({ calls: 1, inbound: 1, missedByAll: 1 });
    expect(f.queues[0]).toMatchObject({ queue: "sales", offered: 1, abandoned: 1 });
    expect(f.managers[0]).toMatchObject({ extension: "101", userId: 1, userName: "Ann", missed: 1 });
    expect(metrics.get("ab24_queue_calls_total", { queue: "sales", outcome: "abandoned" })).toBe(1);
    expect(await figures.store.prune(call.started_at + 86_400_000 - 1)).toBe(0);
    expect(await figures.store.prune(call.started_at + 86_400_000 + 1)).toBe(1);
    expect(await figures.store.range(0, Infinity)).toEqual([]);
  });

  it("bounds the label values of /metrics: queues beyond the limit count as _other", async () => {
    const metrics = new Metrics();
    const figures = new QueueFigures(redis, uniquePrefix("figures"), { timeZone: "UTC", serviceLevelSeconds: 20, retentionDays: 1 }, metrics);
    const call = onlyCall(replayRecording("02_inbound_queue_sales_102_answers", undefined, true));
    for (let i = 0; i < 60; i++) {
      const conversations = Object.fromEntries(Object.entries(call.conversations).map(([id, c]) => [id, { ...c, queue: `q${i}` }]));
      await figures.record({ ...call, call_key: `k${i}`, conversations, queue_visits: call.queue_visits.map((v) => ({ ...v, queue: `q${i}` })) });
    }
    const queues = new Set([...metrics.render().matchAll(/ab24_queue_calls_total\{outcome="answered",queue="([^"]+)"\}/g)].map((m) => m[1]));
    expect(queues.size).toBe(51);
    expect(metrics.get("ab24_queue_calls_total", { queue: "_other", outcome: "answered" })).toBe(10);
  });
});
