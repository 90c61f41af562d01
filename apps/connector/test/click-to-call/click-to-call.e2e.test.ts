/**
 * Click-to-call end to end: the emulated portal fires OnExternalCallStart at the b24-app (installed
 * as its local application), the b24-app queues it (BullMQ, real Redis), the connector dials it on
 * the AMI replay server, and the call is finished with the portal's CALL_ID — never registered twice.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { AmiMessage } from "@asterisk-b24/ami";
import { buildPhpQuery, loadRecording, requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { silentLogger } from "../../src/log/logger.js";
import { startStack, type Stack, type StackOptions } from "../../src/demo/stack.js";

const available = await requireService("redis");

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function start(name: string, extra: Partial<StackOptions> = {}): Promise<Stack> {
  const rec = loadRecording(name);
  stack = await startStack({
    recordings: [rec],
    speed: "asap",
    redisUrl: SERVICES.redis.url,
    redisPrefix: uniquePrefix("c2c"),
    contacts: rec.expect.b24.contacts,
    logger: silentLogger(),
    clicks: "manual",
    ...extra,
  });
  return stack;
}

async function until(what: string, check: () => boolean | Promise<boolean>, limit = 2000): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never happened: ${what}`);
}

const originates = (s: Stack): AmiMessage[] => s.pbx.actions.filter((a) => a.get("Action") === "Originate");

/** What the emulated portal registered and what the connector sent. */
function checkFinishedOnce(s: Stack, callId: string): void {
  const calls = s.emu.calls();
  expect(calls).toHaveLength(1);
  const call = calls[0]!;
  expect(call.CALL_ID).toBe(callId);
  expect(call.registeredBy).toBe("portal");
  expect(call.finish).toBeTruthy();
  // the connector adopted the portal's call: it never registered one of its own
  expect(s.emu.stats().byMethod["telephony.externalcall.register"] ?? 0).toBe(0);
  expect(s.emu.stats().callsRegistered).toBe(1);
}

function c2cInput(name: string) {
  const c = loadRecording(name).expect.clickToCall!;
  return { USER_ID: c.USER_ID, PHONE_NUMBER: c.PHONE_NUMBER, LINE_NUMBER: c.LINE_NUMBER };
}

describe.runIf(available)("click-to-call: portal → b24-app → queue → connector → AMI", () => {
  it("the right Originate reaches Asterisk and the call is finished with the portal's CALL_ID", async () => {
    const s = await start("12_click2call_answered");
    const callId = await s.emu.startClickToCall(c2cInput("12_click2call_answered"));
    await s.idle();
    const delivered = s.emu.eventDeliveries().filter((d) => d.event === "ONEXTERNALCALLSTART");
    expect(delivered.map((d) => [d.offline, d.status])).toEqual([[false, 200]]);
    const o = originates(s);
    expect(o).toHaveLength(1);
    expect(o[0]!.get("Channel")).toBe("PJSIP/101");
    expect(o[0]!.get("Context")).toBe("from-internal");
    expect(o[0]!.get("Exten")).toBe("89161234567");
    expect(o[0]!.getAll("Variable")).toEqual(expect.arrayContaining([`CRM_CALL_ID=${callId}`, "CRM_USER_ID=1"]));
    // The portal's line travels as the tracker's DID variable (the tracker's line_number).
    const line = c2cInput("12_click2call_answered").LINE_NUMBER;
    expect(line).toBe("74951234567");
    expect(o[0]!.getAll("Variable")).toContain(`FROM_DID=${line}`);
    checkFinishedOnce(s, callId);
    expect(s.emu.call(callId)!.finish!.params.STATUS_CODE).toBe("200");
    expect(s.connector.clickToCall!.counts.dialled).toBe(1);
    // The calls journal marks it as click-to-call.
    const key = await s.connector.journal.byCrmCallId(callId);
    expect(key).toBeDefined();
    expect(await s.connector.journal.summary(key!)).toMatchObject({ clickToCall: "yes", direction: "outbound", crmCallId: callId, lineNumber: line });
  });

  it("the offline-events path (portal cannot reach the b24-app) delivers the same call", async () => {
    const s = await start("12_click2call_answered", { events: "offline" });
    const callId = await s.emu.startClickToCall(c2cInput("12_click2call_answered"));
    await s.idle();
    const delivered = s.emu.eventDeliveries().filter((d) => d.event === "ONEXTERNALCALLSTART");
    expect(delivered.map((d) => d.offline)).toEqual([true]);
    expect(s.b24app.poller.queued).toBe(1);
    const o = originates(s);
    expect(o).toHaveLength(1);
    expect(o[0]!.getAll("Variable")).toContain(`CRM_CALL_ID=${callId}`);
    checkFinishedOnce(s, callId);
    // the offline queue was confirmed (cleared) after the job was durable
    expect((s.emu.snapshot().offlineEvents as unknown[]).length).toBe(0);
  });

  it("the same event delivered twice is dialled once", async () => {
    const s = await start("12_click2call_answered");
    const callId = await s.emu.startClickToCall(c2cInput("12_click2call_answered"));
    const first = s.emu.eventDeliveries().find((d) => d.event === "ONEXTERNALCALLSTART")!;
    // a portal retry / a second handler: the very same body again
    const again = await fetch(first.handler, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: first.body! });
    expect(again.status).toBe(200);
    await s.idle();
    expect(originates(s)).toHaveLength(1);
    expect(s.b24app.counters.duplicates).toBe(1);
    checkFinishedOnce(s, callId);
  });

  it("a forged auth[application_token] is refused and nothing is dialled", async () => {
    const s = await start("12_click2call_answered");
    const handler = `http://127.0.0.1:${s.b24app.port}/b24/events`;
    const data = { PHONE_NUMBER: "89161234567", USER_ID: "1", CALL_ID: "externalCall.forged.1", LINE_NUMBER: "74951234567" };
    for (const token of ["0".repeat(32), s.emu.applicationToken.slice(0, -1), ""]) {
      const res = await fetch(handler, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: buildPhpQuery({ event: "ONEXTERNALCALLSTART", data, ts: 1, auth: { domain: "evil.example", application_token: token, member_id: s.emu.memberId } }),
      });
      expect(res.status).toBe(401);
    }
    expect(s.b24app.counters.forged).toBe(3);
    expect(s.b24app.counters.queued).toBe(0);
    expect(await s.b24app.queue.queue.getJobCounts()).toMatchObject({ waiting: 0, active: 0, completed: 0 });
    expect(originates(s)).toHaveLength(0);
  });

  it("CR/LF in the number never reaches AMI; the portal's call is closed as not dialled", async () => {
    const s = await start("12_click2call_answered");
    const evil = "89161234567\r\nAction: Hangup\r\nChannel: PJSIP/102";
    // The portal registers whatever was clicked; the event carries the number as is.
    const callId = await s.emu.startClickToCall({ ...c2cInput("12_click2call_answered"), PHONE_NUMBER: evil });
    const svc = s.connector.clickToCall!;
    await until("the event refused", () => svc.counts.refused === 1);
    await until("the call closed", () => Boolean(s.emu.call(callId)?.finish));
    expect(originates(s)).toHaveLength(0);
    expect(s.pbx.actions.some((a) => a.fields.some(([k, v]) => /\r|\n/.test(k) || /\r|\n/.test(v) || k.toLowerCase() === "channel"))).toBe(false);
    expect(s.pbx.actions.filter((a) => a.get("Action") === "Hangup")).toHaveLength(0);
    expect(s.emu.call(callId)!.finish!.params.STATUS_CODE).toBe("404");
    expect(svc.status()).toMatchObject({ counts: { refused: 1, dialled: 0 } });
  });

  it("the manager's phone not answering is diagnosed, counted and sent to the manager", async () => {
    const s = await start("17c_click2call_phone_no_answer", { config: { clickToCall: { notifyManager: true } } });
    const callId = await s.emu.startClickToCall(c2cInput("17c_click2call_phone_no_answer"));
    await s.idle();
    const svc = s.connector.clickToCall!;
    await until("diagnosed", () => svc.failures["no-answer"] === 1);
    checkFinishedOnce(s, callId);
    await until("notice sent", () => (s.emu.snapshot().notifications as Array<{ MESSAGE?: string }>).some((n) => /did not answer/.test(String(n.MESSAGE))));
    const text = await (await fetch(`http://127.0.0.1:${s.connector.httpPort}/metrics`)).text();
    expect(text).toMatch(/ab24_click_to_call_failures_total\{outcome="no-answer"\} 1/);
  });
});
