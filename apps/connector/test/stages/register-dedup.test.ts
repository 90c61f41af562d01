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
import { CallOutbox } from "../../src/outbox/call-outbox.js";
import { CallWorkerPool } from "../../src/outbox/call-worker-pool.js";
import { emptyCrmState } from "../../src/stages/crm-state.js";
import {
  claimRegistered,
  CrmCallIndex,
  DEDUP_TURN_TIMEOUT_MS,
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

  it("the CALL_ID index tells our own answer from another call's; waiters go one at a time after the holder's finish", async () => {
    const index = new CrmCallIndex(redis, uniquePrefix("dedup-index"));
    const a = emptyCrmState();
    const b = emptyCrmState();
    const c = emptyCrmState();
    expect(await claimRegistered(index, a, "1000.1", "externalCall.X", 1_000)).toBe(true);
    // The same call asking again (a retried register) keeps it.
    expect(await claimRegistered(index, a, "1000.1", "externalCall.X", 2_000)).toBe(true);
    expect(await claimRegistered(index, b, "1000.5", "externalCall.X", 3_000)).toBe(false);
    expect(b.registerDedup).toEqual({ crmCallId: "externalCall.X", holder: "1000.1", attempts: 1, holderSince: 1_000 });
    expect(b.crmCallId).toBeUndefined();
    // The next register goes out under a new request id (the old one would return the old answer).
    expect(registerRequestId("1000.5:0:register", b)).toBe("1000.5:0:register:r1");
    expect(registerRequestId("1000.1:0:register", a)).toBe("1000.1:0:register");
    await expect(waitOutDedup(index, b, "1000.5", 4_000)).rejects.toBeInstanceOf(RegisterDeferredError);
    await index.release("externalCall.X", 4_500);
    // A register answered before that finish but read after it is still the other call's CALL_ID.
    expect(await claimRegistered(index, c, "1000.9", "externalCall.X", 4_700)).toBe(false);
    expect(c.registerDedup).toMatchObject({ crmCallId: "externalCall.X", holder: "1000.1", attempts: 1 });
    // X is closed: b goes first, c waits for b …
    await expect(waitOutDedup(index, b, "1000.5", 4_800)).resolves.toBeUndefined();
    await expect(waitOutDedup(index, c, "1000.9", 4_900)).rejects.toThrow(/registers first/);
    expect(await claimRegistered(index, b, "1000.5", "externalCall.Y", 5_000)).toBe(true);
    expect(b.registerDedup).toBeUndefined();
    // … then for b's new CALL_ID (Bitrix24 would hand Y to c as well), without sending anything.
    await expect(waitOutDedup(index, c, "1000.9", 5_100)).rejects.toThrow(/onto externalCall\.Y/);
    expect(c.registerDedup).toMatchObject({ crmCallId: "externalCall.Y", holder: "1000.5" });
    await index.release("externalCall.Y", 6_000);
    await expect(waitOutDedup(index, c, "1000.9", 6_100)).resolves.toBeUndefined();
  });

  it("a holder that never finishes stops blocking after Bitrix24's 30-minute window; a lost turn after its timeout", async () => {
    const index = new CrmCallIndex(redis, uniquePrefix("dedup-window"));
    const a = emptyCrmState();
    const b = emptyCrmState();
    const c = emptyCrmState();
    await claimRegistered(index, a, "2000.1", "externalCall.Z", 0);
    await claimRegistered(index, b, "2000.2", "externalCall.Z", 10);
    await claimRegistered(index, c, "2000.3", "externalCall.Z", 20);
    await expect(waitOutDedup(index, b, "2000.2", REGISTER_DEDUP_WINDOW_MS - 1)).rejects.toBeInstanceOf(RegisterDeferredError);
    await expect(waitOutDedup(index, b, "2000.2", REGISTER_DEDUP_WINDOW_MS)).resolves.toBeUndefined();
    // b took the turn and vanished: c goes after DEDUP_TURN_TIMEOUT_MS.
    await expect(waitOutDedup(index, c, "2000.3", REGISTER_DEDUP_WINDOW_MS + 1)).rejects.toBeInstanceOf(RegisterDeferredError);
    await expect(waitOutDedup(index, c, "2000.3", REGISTER_DEDUP_WINDOW_MS + DEDUP_TURN_TIMEOUT_MS)).resolves.toBeUndefined();
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
