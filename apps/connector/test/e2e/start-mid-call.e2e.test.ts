/**
 * A connector started while calls are up (real recordings, the replay starts N ms into them:
 * what happened before is the PBX's past, told only by CoreShowChannels and Getvar). Each
 * adopted call must reach Bitrix24 with the right responsible and the talk time the recording
 * shows — from the answer Asterisk still knows (CDR(answer,u)), counted on the PBX's clock
 * (the replay's Timestamps start at the server's start, so the PBX runs N ms ahead of the
 * connector's clock here), never from the adoption or 0.
 */
import { describe, expect, it } from "vitest";
import type { AmiMessage } from "@asterisk-b24/ami";
import { loadRecording, requireService, SERVICES, uniquePrefix, type Recording } from "@asterisk-b24/testkit";
import { silentLogger } from "../../src/log/logger.js";
import { startStack } from "../../src/demo/stack.js";

const available = await requireService("redis");

/** Recorded time (ms) of the first message matching `pred`. */
function timeOf(rec: Recording, pred: (m: AmiMessage) => boolean): number {
  const found = rec.messages.find(({ message }) => pred(message));
  if (!found) throw new Error(`${rec.name}: message not found`);
  return found.t;
}
const up = (channel: string) => (m: AmiMessage) => m.event === "Newstate" && m.get("ChannelState") === "6" && (m.get("Channel") ?? "").startsWith(channel);
const hangup = (channel: string) => (m: AmiMessage) => m.event === "Hangup" && (m.get("Channel") ?? "").startsWith(channel);
/** Seconds an employee talked in the recording: from its phone's answer to its hangup. */
const talked = (rec: Recording, phone: string) => (timeOf(rec, hangup(phone)) - timeOf(rec, up(phone))) / 1000;

const CASES: { name: string; startAtMs: number; why: string; responsible: number; talk: (rec: Recording) => number }[] = [
  {
    name: "06_outbound_answered",
    startAtMs: 8000,
    why: "outbound, 101 talking to the client for 4 s already",
    responsible: 1,
    talk: (rec) => talked(rec, "PJSIP/101"),
  },
  {
    name: "02_inbound_queue_sales_102_answers",
    startAtMs: 10000,
    why: "inbound through queue 600, 102 talking for 4 s already (the queue answered the client 5 s before)",
    responsible: 2,
    talk: (rec) => talked(rec, "PJSIP/102"),
  },
  {
    name: "09_inbound_blind_transfer_101_to_102",
    startAtMs: 6000,
    why: "inbound, 101 talking; the blind transfer to 102 happens after the start",
    responsible: 2,
    talk: (rec) => talked(rec, "PJSIP/101") + talked(rec, "PJSIP/102"),
  },
  {
    name: "09_inbound_blind_transfer_101_to_102",
    startAtMs: 18000,
    why: "inbound, already transferred: 102 talking (101's earlier part is gone from the PBX, AMI cannot tell it)",
    responsible: 2,
    talk: (rec) => talked(rec, "PJSIP/102"),
  },
];

describe.runIf(available)("end to end: a connector started in the middle of calls counts each adopted call's talk time", () => {
  for (const c of CASES) {
    it(`${c.name} from ${c.startAtMs} ms: ${c.why}`, async () => {
      const rec = loadRecording(c.name);
      const stack = await startStack({
        recordings: [rec],
        // Real pace: the call goes on while the connector asks Asterisk about it, as a live call would.
        speed: 1,
        startAtMs: c.startAtMs,
        redisUrl: SERVICES.redis.url,
        redisPrefix: uniquePrefix("e2e-start-mid"),
        contacts: rec.expect.b24.contacts,
        logger: silentLogger(),
      });
      try {
        await stack.idle();
        const asked = stack.pbx.actions.filter((a) => a.get("Action") === "Getvar").map((a) => a.get("Variable"));
        expect(asked).toContain("CDR(answer,u)");
        expect(stack.pbx.actions.some((a) => a.get("Action") === "Ping")).toBe(true);
        const calls = stack.emu.calls();
        expect(calls).toHaveLength(1);
        const finish = calls[0]!.finish!;
        expect(finish.params.STATUS_CODE).toBe("200");
        expect(Number(finish.params.USER_ID)).toBe(c.responsible);
        // Tolerance: the recording's times are ms, DURATION whole seconds.
        const want = c.talk(rec);
        expect(Math.abs(Number(finish.params.DURATION) - want), `DURATION ${String(finish.params.DURATION)}, recording ${want.toFixed(3)} s`).toBeLessThanOrEqual(1);
        expect(stack.emu.requests().filter((r) => typeof r.status === "number" && r.status >= 400)).toEqual([]);
      } finally {
        await stack.close();
      }
    });
  }
});
