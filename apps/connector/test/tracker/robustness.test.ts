/** Bad input is ignored safely: the reducer never throws and never invents calls. */
import { describe, expect, it } from "vitest";
import { AmiMessage } from "@asterisk-b24/ami";
import { loadRecording } from "@asterisk-b24/testkit";
import { createTrackerState, track } from "../../src/tracker/index.js";
import { epochBase, feed, LAB_CONFIG, newReplay, onlyCall, replayRecording } from "./replay.js";

const junk: Record<string, string>[] = [
  {},
  { Response: "Success", ActionID: "x" },
  { Response: "Error", Message: "Permission denied" },
  { Event: "FancyNewEvent", Uniqueid: "1.1" },
  { Event: "Newchannel" },
  { Event: "Newchannel", Uniqueid: "<unknown>", Channel: "PJSIP/101-1" },
  { Event: "Newchannel", Uniqueid: "9.9", Linkedid: "9.9" },
  { Event: "Newchannel", Uniqueid: "9.8", Linkedid: "9.8", Channel: "Snoop/PJSIP/101-00000001-00000002", ChannelState: "0" },
  { Event: "Hangup", Uniqueid: "404.1", Channel: "PJSIP/101-00000009", Cause: "16" },
  { Event: "DialEnd", DestUniqueid: "404.2", DialStatus: "ANSWER" },
  { Event: "DialBegin", Uniqueid: "404.3", Channel: "PJSIP/101-3" },
  { Event: "BridgeEnter", Uniqueid: "404.4" },
  { Event: "BridgeLeave", Uniqueid: "404.5", BridgeUniqueid: "b" },
  { Event: "BridgeMerge" },
  { Event: "VarSet", Variable: "MIXMONITOR_FILENAME", Value: "/x.wav", Uniqueid: "404.6" },
  { Event: "VarSet", Uniqueid: "404.6" },
  { Event: "Newstate", Uniqueid: "404.7", ChannelState: "banana" },
  { Event: "BlindTransfer", Result: "Success" },
  { Event: "AttendedTransfer", Result: "Success", TransfereeUniqueid: "nope" },
  { Event: "OriginateResponse", Response: "Success", Uniqueid: "404.8" },
  { Event: "OriginateResponse" },
  { Event: "Hold", Uniqueid: "404.9" },
  { Event: "ParkedCall" },
  { Event: "AgentRingNoAnswer", DestUniqueid: "404.10" },
  { Event: "Cdr", UniqueID: "1795257413.0", Channel: "PJSIP/provider-00000000" },
  { Event: "LocalBridge", LocalOneUniqueid: "404.11" },
  { Action: "Originate" },
];

describe("bad input", () => {
  it("unknown events, unknown channels and missing headers never throw nor create calls", () => {
    const state = createTrackerState();
    for (const obj of junk) {
      const out = track(state, AmiMessage.from(obj), 1000, LAB_CONFIG);
      expect(out.events).toEqual([]);
    }
    // "Newchannel 9.9" has no Channel name: ignored with a diagnostic; the Snoop channel is not a party.
    expect(state.calls).toEqual({});
    expect(state.channelIndex).toEqual({});
  });

  it("reports what it ignored as diagnostics, not errors", () => {
    const state = createTrackerState();
    const out = track(state, AmiMessage.from({ Event: "Hangup", Uniqueid: "404.1", Channel: "PJSIP/101-00000009", Cause: "16" }), 1);
    expect(out.diagnostics).toEqual([{ kind: "unknown_channel", event: "Hangup", detail: "PJSIP/101-00000009" }]);
    const missing = track(state, AmiMessage.from({ Event: "Newchannel", Uniqueid: "9.9" }), 1);
    expect(missing.diagnostics.map((d) => d.kind)).toEqual(["missing_field"]);
  });

  it("junk interleaved with a real recording does not change its outcome", () => {
    const name = "02_inbound_queue_sales_102_answers";
    const rec = loadRecording(name);
    const base = epochBase(rec.messages);
    const mixed = rec.messages.flatMap((m, i) => [m, { t: m.t, message: AmiMessage.from(junk[i % junk.length]!) }]);
    const r = newReplay();
    feed(r, mixed, base, LAB_CONFIG);
    const clean = replayRecording(name);
    expect(r.events.map((e) => e.stage)).toEqual(clean.events.map((e) => e.stage));
    expect(onlyCall(r)).toEqual(onlyCall(clean));
  });

  it("duplicated events (a replayed chunk) do not duplicate stages", () => {
    const name = "17a_inbound_ringgroup_102_answers";
    const rec = loadRecording(name);
    const base = epochBase(rec.messages);
    const doubled = rec.messages.flatMap((m) => [m, m]);
    const r = newReplay();
    feed(r, doubled, base, LAB_CONFIG);
    expect(r.events.map((e) => e.stage)).toEqual(replayRecording(name).events.map((e) => e.stage));
  });
});
