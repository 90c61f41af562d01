/**
 * Click-to-call under injected Bitrix24 faults (503s, hung requests cut by the request timeout,
 * latency): finish and attachRecord always follow a known CALL_ID — the portal's own for a click —
 * and a click that is never dialled (its number refused) is finished once with its own CALL_ID.
 */
import { afterEach, describe, expect, it } from "vitest";
import { loadRecording, requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { silentLogger } from "../../src/log/logger.js";
import { startStack, type Stack } from "../../src/demo/stack.js";

const available = await requireService("redis");

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function until(what: string, check: () => boolean | Promise<boolean>, limitMs = 180_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const CHAOS = { share503: 0.3, shareHang: 0.05, latencyMs: 40, seed: 7 };

function finishErrors(s: Stack): string[] {
  return s.emu
    .requests()
    .filter((r) => r.method === "telephony.externalcall.finish" && r.error)
    .map((r) => r.error!);
}

/** The answered click-to-call recording, clicks made by the test, Bitrix24 faults on from the start. */
async function manualClicksUnderChaos(label: string): Promise<Stack> {
  const rec = loadRecording("12_click2call_answered");
  stack = await startStack({
    recordings: [rec],
    speed: "asap",
    redisUrl: SERVICES.redis.url,
    redisPrefix: uniquePrefix(label),
    contacts: rec.expect.b24.contacts,
    limits: false,
    logger: silentLogger(),
    clicks: "manual",
    config: { b24: { requestTimeoutMs: 2000 } },
  });
  stack.emu.setFaults(CHAOS);
  return stack;
}

describe.runIf(available)("click-to-call under Bitrix24 faults", () => {
  it("clicks answered and not answered: each finished once with the portal's CALL_ID, the recording attached to it", async () => {
    const names = ["12_click2call_answered", "17c_click2call_phone_no_answer", "01_inbound_ext101_answered"];
    const recs = names.map((n) => loadRecording(n));
    stack = await startStack({
      recordings: recs,
      speed: "asap",
      redisUrl: SERVICES.redis.url,
      redisPrefix: uniquePrefix("c2c-chaos"),
      contacts: recs.flatMap((r) => r.expect.b24.contacts ?? []),
      limits: false,
      logger: silentLogger(),
      config: { b24: { requestTimeoutMs: 2000 } },
    });
    stack.emu.setFaults(CHAOS);
    await stack.idle();
    const s = stack;
    expect(s.emu.stats().faults.s503).toBeGreaterThan(0);
    expect([...s.clicks.keys()].sort()).toEqual(["12_click2call_answered", "17c_click2call_phone_no_answer"]);
    for (const [name, callId] of s.clicks) {
      const call = s.emu.call(callId)!;
      expect({ name, registeredBy: call.registeredBy, finished: !!call.finish, reRegistrations: call.reRegistrations }).toEqual({
        name,
        registeredBy: "portal",
        finished: true,
        reRegistrations: 0,
      });
    }
    const answered = s.emu.call(s.clicks.get("12_click2call_answered")!)!;
    expect(answered.records.length).toBeGreaterThan(0);
    // one Bitrix24 call per physical call: the two clicks (portal) and the inbound call (ours)
    expect(s.emu.calls().length).toBe(3);
    expect(finishErrors(s)).toEqual([]);
    const journal = await s.connector.journal.list({ limit: 50 });
    expect(journal.filter((c) => c.status !== "delivered" && c.status !== "skipped").map((c) => `${c.callKey}: ${c.status} ${c.reason ?? ""}`)).toEqual([]);
  }, 300_000);

  it("a click whose number is refused is finished once with its own CALL_ID, never as an unknown call", async () => {
    const s = await manualClicksUnderChaos("c2c-refused");
    const c = loadRecording("12_click2call_answered").expect.clickToCall!;
    const callId = await s.emu.startClickToCall({ USER_ID: c.USER_ID, LINE_NUMBER: c.LINE_NUMBER, PHONE_NUMBER: "89161234567\r\nAction: Hangup" });
    await until("the click refused", () => s.connector.clickToCall!.counts.refused === 1);
    await until("the portal's call closed", () => Boolean(s.emu.call(callId)?.finish));
    expect(s.emu.call(callId)!.finish!.params.STATUS_CODE).toBe("404");
    expect(s.emu.calls().length).toBe(1);
    expect(s.pbx.actions.filter((a) => a.get("Action") === "Originate")).toEqual([]);
    expect(finishErrors(s)).toEqual([]);
  }, 300_000);

  it("a refused click and a second click on the same number (Bitrix24 hands it the same open CALL_ID): one decision, finished once", async () => {
    const s = await manualClicksUnderChaos("c2c-reused");
    const c = loadRecording("12_click2call_answered").expect.clickToCall!;
    const first = await s.emu.startClickToCall({ USER_ID: c.USER_ID, LINE_NUMBER: c.LINE_NUMBER, PHONE_NUMBER: `${c.PHONE_NUMBER}\r\nAction: Hangup` });
    const second = await s.emu.startClickToCall({ USER_ID: c.USER_ID, LINE_NUMBER: c.LINE_NUMBER, PHONE_NUMBER: c.PHONE_NUMBER });
    expect(second).toBe(first); // the portal's 30-minute de-duplication
    const svc = s.connector.clickToCall!;
    // The b24-app queues one event per CALL_ID; the connector decides a CALL_ID once as well
    // (validate.test.ts: a second event that gets through is neither dialled nor finished).
    await until("the second event seen as a duplicate", () => s.b24app.counters.duplicates === 1);
    await until("the click refused", () => svc.counts.refused === 1);
    await until("the call closed", () => Boolean(s.emu.call(first)?.finish));
    expect(svc.counts).toMatchObject({ refused: 1, dialled: 0 });
    expect(s.pbx.actions.filter((a) => a.get("Action") === "Originate")).toEqual([]);
    expect(s.emu.call(first)!.finish!.params.STATUS_CODE).toBe("404");
    expect(finishErrors(s)).toEqual([]);
  }, 300_000);
});
