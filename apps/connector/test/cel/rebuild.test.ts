import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEMO_USERS, RECORDINGS_DIR } from "@asterisk-b24/testkit";
import { rebuildCall } from "../../src/cel/rebuild.js";
import { LAB_CONFIG, onlyCall, replayRecording, stageList } from "../tracker/replay.js";
import { CEL_NAMES, fixtureRows } from "./fixtures.js";
import { crmOutcome } from "./outcome.js";

interface ExpectedCall {
  TYPE: number | number[];
  lineNumber?: string;
  responsible: number | number[];
  status: "answered" | "missed";
  duration: { value?: number; tolerance?: number; min?: number; max?: number };
}

function expected(name: string): ExpectedCall | undefined {
  const e = JSON.parse(readFileSync(join(RECORDINGS_DIR, `${name}.expect.json`), "utf8")) as { expect: { calls?: ExpectedCall[] } };
  return e.expect.calls?.[0];
}
const extOf = (userId: number): string => DEMO_USERS.find((u) => u.ID === userId)!.UF_PHONE_INNER;

describe("calls rebuilt from CEL = the live tracker's calls (every shared recording)", () => {
  it("there are recordings with CEL", () => {
    expect(CEL_NAMES.length).toBeGreaterThanOrEqual(13);
  });

  for (const name of CEL_NAMES) {
    it(name, async () => {
      const { cel, cdr } = await fixtureRows(name);
      const live = onlyCall(replayRecording(name));
      const rebuilt = rebuildCall(cel, cdr, LAB_CONFIG);

      // Same CRM outcome as the live call_full: direction, line, responsible, who started it, result…
      expect(crmOutcome(rebuilt.callFull)).toEqual(crmOutcome(live));
      expect(Math.abs(rebuilt.callFull.talk_seconds - live.talk_seconds)).toBeLessThanOrEqual(1);
      // Same stages, in the same order.
      expect(stageList(rebuilt.stages)).toEqual(stageList(replayRecording(name).events));
      expect(rebuilt.stages.at(-1)?.stage).toBe("call_ended");
      expect(rebuilt.callKey).toBe(rebuilt.linkedid);
      expect(rebuilt.skipped).toBe(0);

      // And what NAME.expect.json says the CRM must show.
      const want = expected(name);
      if (!want) return;
      const c = rebuilt.callFull;
      expect(c.direction).toBe(want.TYPE === 1 ? "outbound" : "inbound");
      if (want.lineNumber) expect(c.line_number).toBe(want.lineNumber);
      const answered = c.answered_extension !== "";
      expect(answered).toBe(want.status === "answered");
      if (typeof want.responsible === "number") {
        const who = answered ? c.answered_extension : (Object.values(c.conversations).find((v) => v.role === "caller")?.extension ?? "");
        expect(who).toBe(extOf(want.responsible));
      } else {
        expect([...c.rang_extensions].sort()).toEqual(want.responsible.map(extOf).sort());
      }
      const d = want.duration;
      if (d.value !== undefined) expect(Math.abs(c.talk_seconds - d.value)).toBeLessThanOrEqual(d.tolerance ?? 0);
      if (d.min !== undefined) expect(c.talk_seconds).toBeGreaterThanOrEqual(d.min);
      if (d.max !== undefined) expect(c.talk_seconds).toBeLessThanOrEqual(d.max);
      // The recording comes from CDR recordingfile (these PBXes log no APP_START).
      expect(rebuilt.recordingFile).toBe(cdr.find((r) => r.recordingfile)?.recordingfile ?? "");
    });
  }
});
