/**
 * Kill the connector in the middle of a replay and start it again: every call still ends
 * correctly. The PBX keeps talking while the connector is dead (those AMI events are lost for
 * good); the new process resumes the calls from Redis and reconciles with CoreShowChannels.
 */
import { describe, expect, it } from "vitest";
import { loadRecording, recordingNames, requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { silentLogger } from "../../src/log/logger.js";
import { startStack } from "../../src/demo/stack.js";
import { callsOfRecording, checkOutcome } from "./outcome.js";

const available = await requireService("redis");

describe.runIf(available)("AMI connection lost mid-replay, connector keeps running", () => {
  it("reconnects, reconciles with CoreShowChannels, and every call still ends once", async () => {
    const recordings = recordingNames().map((n) => loadRecording(n));
    const total = recordings.reduce((n, r) => n + r.messages.length, 0);
    const stack = await startStack({
      recordings,
      speed: "asap",
      redisUrl: SERVICES.redis.url,
      redisPrefix: uniquePrefix("ami-drop"),
      logger: silentLogger(),
      drop: { atMessage: Math.floor(total * 0.6), lose: 30, resume: "afterCoreShowChannels" },
    });
    try {
      await stack.idle();
      expect(stack.pbx.logins).toBe(2);
      const journal = await stack.connector.journal.list({ limit: 100 });
      expect(journal.filter((c) => c.status === "in_progress" || c.status === "failed")).toEqual([]);
      expect(stack.emu.calls().filter((c) => !c.finish)).toEqual([]);
      expect(stack.emu.calls().length).toBe(recordings.filter((r) => r.expect.expect.calls.length > 0).length);
      for (const c of stack.emu.calls()) expect(c.reRegistrations).toBe(0);
    } finally {
      await stack.close();
    }
  });
});

describe.runIf(available)("connector killed mid-replay and started again", () => {
  it.each([
    { label: "between events (nothing lost on the PBX side)", lose: 0 },
    { label: "while the PBX goes on (events lost, reconciled)", lose: 25 },
  ])("every call still ends correctly: $label", async ({ lose }) => {
    const recordings = recordingNames().map((n) => loadRecording(n));
    const total = recordings.reduce((n, r) => n + r.messages.length, 0);
    const atMessage = Math.floor(total * 0.45);
    const stack = await startStack({
      recordings,
      speed: "asap",
      redisUrl: SERVICES.redis.url,
      redisPrefix: uniquePrefix("restart"),
      logger: silentLogger(),
      drop: { atMessage, lose, resume: "afterCoreShowChannels" },
      config: { b24: { jobLockMs: 2000 } },
    });
    try {
      // The PBX drops the connection at `atMessage`: the connector dies at that very moment.
      while (stack.pbx.position < atMessage) await new Promise((r) => setTimeout(r, 2));
      await stack.crash();
      await stack.restartConnector();
      await stack.idle();

      const byCallId = new Map(stack.emu.calls().map((c) => [c.CALL_ID, c]));
      // Every call reached a final state; none failed, none is left in progress.
      const journal = await stack.connector.journal.list({ limit: 100 });
      expect(journal.filter((c) => c.status === "in_progress" || c.status === "failed").map((c) => `${c.callKey}: ${c.status} ${c.reason ?? ""}`)).toEqual([]);
      // One Bitrix24 call per external call, each finished, nothing registered twice.
      expect(
        stack.emu
          .calls()
          .filter((c) => !c.finish)
          .map((c) => c.CALL_ID),
      ).toEqual([]);
      for (const c of byCallId.values()) expect(c.reRegistrations).toBe(0);
      const external = recordings.filter((r) => r.expect.expect.calls.length > 0).length;
      expect(stack.emu.calls().length).toBe(external);
      if (lose === 0) {
        // Nothing was lost, so every recording's outcome is exactly as expected.
        for (const rec of recordings) {
          const mine = callsOfRecording(rec, stack.emu, stack.clicks.get(rec.name));
          const problems = checkOutcome(rec, stack.emu, "ringing", stack.clicks.get(rec.name), mine).filter((p) => !p.startsWith("Bitrix24 answered") && !p.startsWith("tasks"));
          expect({ rec: rec.name, problems }).toEqual({ rec: rec.name, problems: [] });
        }
      }
    } finally {
      await stack.close();
    }
  });
});
