/**
 * Bitrix24's 30-minute register de-duplication on portals that ignore EXTERNAL_CALL_ID (older
 * boxes): two overlapping calls from the same number to the same manager got ONE CALL_ID, the
 * second finish failed ("Call is not found") and a call was lost. Now the second call notices the
 * CALL_ID belongs to another of our calls, waits for that call's finish and registers its own.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRecording, mixRecordings, requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { startStack } from "../../src/demo/stack.js";
import { silentLogger } from "../../src/log/logger.js";
import { CallOutbox } from "../../src/pipeline/call-outbox.js";
import { CallWorkerPool } from "../../src/pipeline/call-worker-pool.js";
import { emptyCrmState } from "../../src/stages/crm-state.js";
import {
  claimRegistered,
  CrmCallIndex,
  REGISTER_DEDUP_WINDOW_MS,
  RegisterDeferredError,
  registerRequestId,
  waitOutDedup,
} from "../../src/stages/register-dedup.js";

const available = await requireService("redis");

describe.runIf(available)("register de-duplicated by Bitrix24 onto another of our calls", () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(SERVICES.redis.url);
  });
  afterAll(() => redis.disconnect());

  it("the CALL_ID index tells our own answer from another call's, and the wait ends at the holder's finish", async () => {
    const index = new CrmCallIndex(redis, uniquePrefix("dedup-index"));
    const a = emptyCrmState();
    const b = emptyCrmState();
    expect(await claimRegistered(index, a, "1000.1", "externalCall.X", 1_000)).toBe(true);
    // The same call asking again (a retried register) keeps it.
    expect(await claimRegistered(index, a, "1000.1", "externalCall.X", 2_000)).toBe(true);
    expect(await claimRegistered(index, b, "1000.5", "externalCall.X", 3_000)).toBe(false);
    expect(b.registerDedup).toEqual({ crmCallId: "externalCall.X", holder: "1000.1", attempts: 1, holderSince: 1_000 });
    expect(b.crmCallId).toBeUndefined();
    // The next register goes out under a new request id (the old one would return the old answer).
    expect(registerRequestId("1000.5:0:register", b)).toBe("1000.5:0:register:r1");
    expect(registerRequestId("1000.1:0:register", a)).toBe("1000.1:0:register");
    await expect(waitOutDedup(index, b, 4_000)).rejects.toBeInstanceOf(RegisterDeferredError);
    // Bitrix24 stops matching the holder after its 30-minute window even if it never finished.
    await expect(waitOutDedup(index, b, 1_000 + REGISTER_DEDUP_WINDOW_MS)).resolves.toBeUndefined();
    await index.release("externalCall.X", 4_500);
    await expect(waitOutDedup(index, b, 4_600)).resolves.toBeUndefined();
    // A register answered before that finish but read after it is still the other call's CALL_ID.
    const c = emptyCrmState();
    expect(await claimRegistered(index, c, "1000.9", "externalCall.X", 4_700)).toBe(false);
    expect(c.registerDedup).toMatchObject({ crmCallId: "externalCall.X", holder: "1000.1", attempts: 1 });
    await expect(waitOutDedup(index, c, 4_800)).resolves.toBeUndefined();
    expect(await claimRegistered(index, b, "1000.5", "externalCall.Y", 5_000)).toBe(true);
    expect(b.registerDedup).toBeUndefined();
  });

  it("a stage that asks for a plain wait (retryAfterMs) is retried then, without the growing backoff", async () => {
    const outbox = new CallOutbox(redis, uniquePrefix("dedup-pool"));
    let tries = 0;
    const pool = new CallWorkerPool(
      outbox,
      async () => {
        if (++tries < 4) throw new RegisterDeferredError("waits", 10);
      },
      { pollMs: 20, retryDelayMs: 60_000, maxRetryDelayMs: 60_000 },
    );
    await outbox.commit([{ callKey: "c", state: null, stages: ["s"] }]);
    pool.start();
    try {
      await pool.idle();
      expect(tries).toBe(4);
    } finally {
      await pool.stop();
    }
  });

  it("two overlapping calls from one number to one manager both land, each with its own CALL_ID", async () => {
    const rec = loadRecording("01_inbound_ext101_answered");
    // The second call rings 101 while the first is still in progress (same client, same line).
    const mix = mixRecordings([
      { recording: rec, atMs: 0 },
      { recording: rec, atMs: 3_000 },
    ]);
    const stack = await startStack({
      recordings: [mix.recording],
      speed: 1,
      redisUrl: SERVICES.redis.url,
      redisPrefix: uniquePrefix("dedup-e2e"),
      contacts: rec.expect.b24.contacts,
      portal: { dedupByExternalCallId: false },
      logger: silentLogger(),
    });
    try {
      await stack.idle();
      // The portal did de-duplicate (the hazard happened) …
      expect(stack.emu.stats().callsDeduplicated).toBeGreaterThanOrEqual(1);
      // … and still every call is its own Bitrix24 call, finished as answered by 101.
      const calls = stack.emu.calls();
      expect(calls).toHaveLength(2);
      for (const replica of mix.replicas) {
        const mine = calls.filter((c) => replica.linkedids.includes(c.EXTERNAL_CALL_ID ?? ""));
        expect(mine).toHaveLength(1);
        expect(mine[0]!.finish?.params).toMatchObject({ USER_ID: "1", STATUS_CODE: "200" });
        expect(Number(mine[0]!.finish?.params.DURATION)).toBeGreaterThanOrEqual(12);
      }
      const failedFinishes = stack.emu.requests().filter((r) => r.method === "telephony.externalcall.finish" && r.status !== 200);
      expect(failedFinishes).toEqual([]);
      const journal = await stack.connector.journal.list({ limit: 10 });
      expect(journal.map((j) => j.status).sort()).toEqual(["delivered", "delivered"]);
    } finally {
      await stack.close();
    }
  }, 120_000);
});
