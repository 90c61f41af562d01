/**
 * The engine applies a CoreShowChannels snapshot on the clock its event times are on: the PBX's
 * when events carry `Timestamp` (our clock + the PBX's lead measured with Ping), ours when they do
 * not (then the PBX's CDR answer times are shifted back by that lead). Either way an adopted
 * call's talk time is the PBX's, whatever the two clocks say.
 */
import { describe, expect, it } from "vitest";
import { AmiMessage } from "@asterisk-b24/ami";
import { TrackerEngine } from "../../src/runtime/tracker-engine.js";
import type { StageEvent } from "../../src/tracker/index.js";

const LEAD = 40_000; // the PBX's clock runs 40 s ahead of ours

function channel(uid: string, name: string, state: string, durationS: number, answeredPbxMs: number): AmiMessage {
  return AmiMessage.from({
    Event: "CoreShowChannel",
    Channel: name,
    ChannelState: state,
    ChannelStateDesc: state === "6" ? "Up" : "Ring",
    CallerIDNum: name.includes("101") ? "101" : "79161234567",
    CallerIDName: "",
    Context: "from-internal",
    Exten: "89161234567",
    Uniqueid: uid,
    Linkedid: "1900000000.0",
    Application: name.includes("101") ? "Dial" : "AppDial",
    ApplicationData: name.includes("101") ? "PJSIP/89161234567@provider,60" : "(Outgoing Line)",
    Duration: `00:00:${String(durationS).padStart(2, "0")}`,
    BridgeId: "bridge-1",
    ChanVariable: `CDR(answer,u)=${(answeredPbxMs / 1000).toFixed(6)}`,
  });
}

function hangup(uid: string, name: string, timestampMs: number | undefined): AmiMessage {
  const fields: Record<string, string> = { Event: "Hangup", Privilege: "call,all" };
  if (timestampMs !== undefined) fields.Timestamp = (timestampMs / 1000).toFixed(6);
  Object.assign(fields, { Channel: name, ChannelState: "6", Uniqueid: uid, Linkedid: "1900000000.0", Cause: "16" });
  return AmiMessage.from(fields);
}

async function adoptThenHangUp(timestamped: boolean): Promise<StageEvent> {
  const engine = new TrackerEngine();
  const pbxNow = Date.now() + LEAD;
  // Answered 10 s ago on the PBX; 101 dialled 14 s ago.
  const answered = pbxNow - 10_000;
  // An unrelated event tells the engine whether events carry Timestamp.
  await engine.handle(AmiMessage.from({ Event: "FullyBooted", Privilege: "system,all", ...(timestamped ? { Timestamp: (pbxNow / 1000).toFixed(6) } : {}) }));
  await engine.reconcile([channel("1900000000.0", "PJSIP/101-00000000", "6", 14, answered), channel("1900000000.1", "PJSIP/provider-00000001", "6", 14, answered)], {
    pbxOffsetMs: LEAD,
  });
  // 5 s later (PBX time) the call ends: talk 15 s.
  const end = pbxNow + 5_000;
  await engine.handle(hangup("1900000000.1", "PJSIP/provider-00000001", timestamped ? end : undefined), timestamped ? undefined : end - LEAD);
  const events = await engine.handle(hangup("1900000000.0", "PJSIP/101-00000000", timestamped ? end : undefined), timestamped ? undefined : end - LEAD);
  return events.find((e) => e.stage === "call_ended")!;
}

describe("TrackerEngine: adopted talk time on the PBX's clock", () => {
  it("events with Timestamp: the snapshot is applied at our clock + the PBX's lead", async () => {
    const ended = await adoptThenHangUp(true);
    expect(ended.call).toMatchObject({ direction: "outbound", answered_extension: "101", talk_seconds: 15 });
  });

  it("events without Timestamp: CDR answer times are moved back to our clock", async () => {
    const ended = await adoptThenHangUp(false);
    expect(ended.call).toMatchObject({ direction: "outbound", answered_extension: "101", talk_seconds: 15 });
  });
});
