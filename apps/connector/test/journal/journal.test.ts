import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { SERVICES, requireService, uniquePrefix } from "@asterisk-b24/testkit";
import { Journal } from "../../src/journal/index.js";

const available = await requireService("redis");

describe.runIf(available)("journal (real Redis)", () => {
  const redis = available ? new Redis(SERVICES.redis.url) : (undefined as never);
  afterAll(() => redis?.disconnect());

  it("keeps a call's summary and its requests, results and errors", async () => {
    const j = new Journal(redis, uniquePrefix("journal"));
    await j.update("c1", { direction: "inbound", clientNumber: "79161234567" }, 1000);
    await j.record("c1", { kind: "request", method: "telephony.externalcall.register", params: { TYPE: 2 } });
    await j.record("c1", { kind: "result", method: "telephony.externalcall.register", result: { CALL_ID: "externalCall.x.1" } });
    await j.update("c1", { crmCallId: "externalCall.x.1", status: "delivered", statusCode: "200" }, 2000);
    const got = await j.get("c1");
    expect(got?.summary).toMatchObject({ callKey: "c1", status: "delivered", firstSeenAt: 1000, updatedAt: 2000, crmCallId: "externalCall.x.1", statusCode: "200" });
    expect(got?.entries.map((e) => e.kind)).toEqual(["request", "result"]);
  });

  it("never loses a failed call: it is listed with its reason until delivered", async () => {
    const j = new Journal(redis, uniquePrefix("journal"));
    await j.update("ok", { status: "delivered" });
    await j.fail("bad", "Bitrix24 refused the register", { type: "B24BusinessError", message: "User is not found or is not active" });
    expect((await j.failed()).map((c) => [c.callKey, c.reason, c.lastErrorType])).toEqual([["bad", "Bitrix24 refused the register", "B24BusinessError"]]);
    expect(await j.errorStats()).toEqual({ B24BusinessError: 1 });
    await j.update("bad", { status: "delivered" });
    expect(await j.failedCount()).toBe(0);
    const counts = await j.statusCounts(0);
    expect(counts.delivered).toBe(2);
  });

  it("lists calls newest first, by status", async () => {
    const j = new Journal(redis, uniquePrefix("journal"));
    for (let i = 0; i < 5; i++) await j.update(`c${i}`, { status: i % 2 ? "failed" : "delivered" }, 1000 + i);
    expect((await j.list()).map((c) => c.callKey)).toEqual(["c4", "c3", "c2", "c1", "c0"]);
    expect((await j.list({ status: "failed" })).map((c) => c.callKey)).toEqual(["c3", "c1"]);
    expect((await j.list({ fromMs: 1002, toMs: 1003 })).map((c) => c.callKey)).toEqual(["c3", "c2"]);
  });
});
