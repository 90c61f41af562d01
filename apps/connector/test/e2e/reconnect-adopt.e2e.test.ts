/**
 * Calls already in progress when the connector (re)connects: the PBX drops the AMI connection
 * right after login and everything until the client is bridged with the manager is lost; the
 * connector reconnects, lists the live channels (CoreShowChannels), asks Asterisk for their
 * variables (Getvar — the replay server answers with the values at that point of the recording)
 * and adopts the call. The call must reach Bitrix24 with its real direction, number, line (the
 * trunk's DID, not the queue number) and recording — real recordings, inbound and outbound.
 */
import { describe, expect, it } from "vitest";
import { loadRecording, requireService, SERVICES, uniquePrefix, type Recording } from "@asterisk-b24/testkit";
import { silentLogger } from "../../src/log/logger.js";
import { startStack } from "../../src/demo/stack.js";
import { checkOutcome } from "./outcome.js";

const available = await requireService("redis");

/** Index of the first message matching `pred` in the recording (= playlist index). */
function indexOf(rec: Recording, pred: (event: string | undefined, channel: string) => boolean): number {
  const i = rec.messages.findIndex(({ message }) => pred(message.event, message.get("Channel") ?? ""));
  if (i < 0) throw new Error("message not found");
  return i;
}

const CASES = [
  {
    name: "02_inbound_queue_sales_102_answers",
    // lost: from the client's Newchannel to its BridgeEnter with 102 (queue 600 already answered it)
    until: (rec: Recording) => indexOf(rec, (e, ch) => e === "BridgeEnter" && ch.startsWith("PJSIP/provider")),
    register: { TYPE: 2, PHONE_NUMBER: "79161234567", LINE_NUMBER: "74951234567" },
    responsible: 2,
  },
  {
    name: "06_outbound_answered",
    // lost: from 101's Newchannel to both legs in the bridge
    until: (rec: Recording) => indexOf(rec, (e, ch) => e === "BridgeEnter" && ch.startsWith("PJSIP/101")),
    register: { TYPE: 1, PHONE_NUMBER: "79161234567" /* 89161234567 normalised */, LINE_NUMBER: "provider" },
    responsible: 1,
  },
];

describe.runIf(available)("end to end: a call in progress at (re)connect is adopted with what Asterisk still knows", () => {
  it("06_outbound_answered with Getvar never answered: still outbound with the number of the Dial in progress", async () => {
    const rec = loadRecording("06_outbound_answered");
    const first = indexOf(rec, (e) => e === "Newchannel");
    const last = indexOf(rec, (e, ch) => e === "BridgeEnter" && ch.startsWith("PJSIP/101"));
    const stack = await startStack({
      recordings: [rec],
      speed: 1,
      redisUrl: SERVICES.redis.url,
      redisPrefix: uniquePrefix("e2e-adopt-novar"),
      contacts: rec.expect.b24.contacts,
      drop: { atMessage: first, lose: last - first + 1, resume: "afterCoreShowChannels" },
      silentActions: ["Getvar"],
      config: { ami: { actionTimeoutMs: 1000 } },
      logger: silentLogger(),
    });
    try {
      await stack.idle();
      const calls = stack.emu.calls();
      expect(calls).toHaveLength(1);
      // CoreShowChannel of 101: Application Dial, ApplicationData PJSIP/89161234567@provider,60,T
      expect(calls[0]).toMatchObject({ TYPE: 1, PHONE_NUMBER: "79161234567", LINE_NUMBER: "provider" });
      expect(stack.emu.requests().filter((r) => typeof r.status === "number" && r.status >= 400)).toEqual([]);
      expect(calls[0]!.finish?.params.STATUS_CODE).toBe("200");
    } finally {
      await stack.close();
    }
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const rec = loadRecording(c.name);
      const first = indexOf(rec, (e) => e === "Newchannel");
      const last = c.until(rec);
      const stack = await startStack({
        recordings: [rec],
        // Real pace: the call goes on while the connector asks Asterisk about it (as a live call would).
        speed: 1,
        redisUrl: SERVICES.redis.url,
        redisPrefix: uniquePrefix("e2e-adopt"),
        contacts: rec.expect.b24.contacts,
        drop: { atMessage: first, lose: last - first + 1, resume: "afterCoreShowChannels" },
        logger: silentLogger(),
      });
      try {
        await stack.idle();
        // The connector asked for the variables of the channels it had never seen.
        const getvars = stack.pbx.actions.filter((a) => a.get("Action") === "Getvar");
        expect(getvars.map((a) => a.get("Variable"))).toEqual(expect.arrayContaining(["MIXMONITOR_FILENAME", "FROM_DID", "DIALEDPEERNUMBER"]));
        const registers = stack.emu.requests().filter((r) => r.method === "telephony.externalcall.register");
        expect(registers.length).toBeGreaterThan(0);
        for (const r of registers) expect(r.status).toBe(200);
        const calls = stack.emu.calls();
        expect(calls).toHaveLength(1);
        expect(calls[0]).toMatchObject(c.register);
        // Same CRM outcome as without the outage. Talk counts from the adoption (reconcile time =
        // our clock); the replay skips the lost messages in no time while their recorded
        // Timestamps jump ahead by up to the ring time, so allow that much either way.
        const want = structuredClone(rec.expect);
        for (const call of want.expect.calls) call.duration = { min: call.duration.value! - 8, max: call.duration.value! + 6 };
        const problems = checkOutcome({ ...rec, expect: want }, stack.emu, "ringing");
        expect(
          problems.filter((p) => !p.includes("card shown to")),
          "CRM outcome",
        ).toEqual([]);
        expect(Number(calls[0]!.finish!.params.USER_ID)).toBe(c.responsible);
        expect(calls[0]!.records.length).toBe(1);
        const journal = await stack.connector.journal.list({ limit: 10 });
        expect(
          journal.filter((j) => j.status !== "delivered"),
          "journal",
        ).toEqual([]);
      } finally {
        await stack.close();
      }
    });
  }
});
