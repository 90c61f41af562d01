/**
 * The demo cleans up after itself: after a run over real recordings (click-to-call included) and a
 * stop, no Redis key of its prefix or of its click-to-call queue is left, nor its monitor folder.
 */
import { existsSync } from "node:fs";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { loadRecording, requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { silentLogger } from "../../src/log/logger.js";
import { startStack } from "../../src/demo/stack.js";

const available = await requireService("redis");

async function keysMatching(redis: Redis, match: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", match, "COUNT", 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== "0");
  return out;
}

describe.runIf(available)("demo stop", () => {
  it("shows its evaluation licence as a demo, and leaves no Redis key of its prefix and no temporary folder behind", async () => {
    const prefix = uniquePrefix("demo-clean");
    const queueKeys = `bull:c2c-${prefix.replace(/[^A-Za-z0-9_-]/g, "_")}:*`;
    const redis = new Redis(SERVICES.redis.url);
    try {
      const stack = await startStack({
        recordings: ["02_inbound_queue_sales_102_answers", "03_inbound_queue_missed", "12_click2call_answered"].map((n) => loadRecording(n)),
        speed: "asap",
        redisUrl: SERVICES.redis.url,
        redisPrefix: prefix,
        purgeOnClose: true,
        config: { license: { demo: true } },
        logger: silentLogger(),
      });
      await stack.idle();
      // The evaluation licence of the demo is said plainly, not as a Warning.
      const lic = (await (await fetch(`http://127.0.0.1:${stack.connector.httpPort}/status?path=app.license`)).json()) as Record<string, unknown>;
      expect(lic).toMatchObject({ health: "Ok", demo: true, note: "demo, evaluation licence", state: "evaluation" });
      expect(lic.problems).toBeUndefined();
      // The run did write: journal, figures, outbox, Bitrix24 queue, b24-app storage, click-to-call queue.
      const during = await keysMatching(redis, `${prefix}:*`);
      expect(during.length).toBeGreaterThan(20);
      expect(during.some((k) => k.startsWith(`${prefix}:app`))).toBe(true);
      expect((await keysMatching(redis, queueKeys)).length).toBeGreaterThan(0);
      await stack.close();
      expect(await keysMatching(redis, `${prefix}:*`)).toEqual([]);
      expect(await keysMatching(redis, queueKeys)).toEqual([]);
      expect(existsSync(stack.monitorDir)).toBe(false);
    } finally {
      redis.disconnect();
    }
  }, 120_000);
});
