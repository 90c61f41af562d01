/**
 * The same recordings replayed over real TCP — replay server → AMI client → tracker engine —
 * give exactly the stages and the final call_full of the pure replay.
 */
import { describe, expect, it } from "vitest";
import { recordingNames, loadRecording } from "@asterisk-b24/testkit";
import { replayThroughTracker } from "../../src/demo/replay-tracker.js";
import { epochBase, LAB_CONFIG, replayRecording } from "./replay.js";

describe("tracker over TCP equals the pure replay", () => {
  for (const name of recordingNames()) {
    it(name, async () => {
      const pure = replayRecording(name, LAB_CONFIG);
      const rec = loadRecording(name);
      const tcp = await replayThroughTracker({ recordings: [rec], speed: "asap", tracker: LAB_CONFIG, timestampBase: epochBase(rec.messages), write: () => undefined });
      const shape = (evs: typeof pure.events) => evs.map((e) => `${e.stage} ${e.callKey} ${"conversationId" in e ? e.conversationId : ""}`);
      expect(shape(tcp.events)).toEqual(shape(pure.events));
      expect(tcp.calls).toEqual([...pure.ended.values()]);
    });
  }
});
