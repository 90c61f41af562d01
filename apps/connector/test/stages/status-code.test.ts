import { describe, expect, it } from "vitest";
import { statusCodeFor } from "../../src/stages/build/status-code.js";
import { LAB_CONFIG, onlyCall, replayRecording } from "../tracker/replay.js";

describe("STATUS_CODE at finish, from what Asterisk said about the call", () => {
  it.each([
    ["01_inbound_ext101_answered", "200"],
    ["03_inbound_queue_missed", "304"],
    ["06_outbound_answered", "200"],
    ["07_outbound_busy", "486"],
    ["08_outbound_noanswer", "603-S"],
    ["17c_click2call_phone_no_answer", "480"],
  ])("%s → %s", (name, code) => {
    expect(statusCodeFor(onlyCall(replayRecording(name, LAB_CONFIG, true)))).toBe(code);
  });
});
