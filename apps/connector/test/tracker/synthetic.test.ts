/**
 * Flows without a recording, on HAND-WRITTEN (synthetic) fixtures from synthetic-fixtures.ts,
 * plus click-to-call and hold details on the recordings.
 */
import { describe, expect, it } from "vitest";
import { AmiMessage } from "@asterisk-b24/ami";
import { loadRecording } from "@asterisk-b24/testkit";
import { createTrackerState, expire, snapshotCall, track, type TrackerConfig } from "../../src/tracker/index.js";
import { attendedTransfer, ivrMissed, localMemberQueue } from "./synthetic-fixtures.js";
import { epochBase, feed, LAB_CONFIG, newReplay, onlyCall, replayRecording, stageList, type Replay } from "./replay.js";
import type { TimedMessage } from "@asterisk-b24/testkit";

const BASE = 1_800_000_000_000 - 400;

function run(messages: TimedMessage[], config: Partial<TrackerConfig> = LAB_CONFIG): Replay {
  const r = newReplay();
  feed(r, messages, BASE, config);
  return r;
}

describe("attended transfer (synthetic: SIP REFER joins two unrelated linkedids)", () => {
  for (const linkedidFirst of [false, true]) {
    it(linkedidFirst ? "linkedid changes on bridging before the AttendedTransfer event" : "AttendedTransfer event first", () => {
      const r = run(attendedTransfer(linkedidFirst));
      expect(r.diagnostics).toBe(0);
      expect(Object.keys(r.state.calls)).toEqual([]);
      // Two calls, each ended exactly once; the consultation call ends as merged into the client's.
      const ended = r.events.filter((e) => e.stage === "call_ended");
      expect(ended.map((e) => e.callKey)).toEqual(["1800000008.12", "1800000000.10"]);
      const consult = r.ended.get("1800000008.12")!;
      expect(consult).toMatchObject({ direction: "internal", end_reason: "merged", merged_into: "1800000000.10" });
      const main = r.ended.get("1800000000.10")!;
      expect(stageList(r.events, "1800000000.10")).toEqual([
        "conversation_requested 101",
        "conversation_accepted 101",
        "conversation_requested 102",
        "conversation_accepted 102",
        "conversation_ended 101",
        "conversation_ended 102",
        "call_ended",
      ]);
      expect(main).toMatchObject({
        direction: "inbound",
        client_number: "79161234567",
        result: 200,
        answered_extension: "102",
        rang_extensions: ["101", "102"],
        merged_from: ["1800000008.12"],
        linkedids: ["1800000000.10", "1800000008.12"],
        transfers: [{ kind: "attended", from: "101", to: "102" }],
        end_reason: "hangup",
      });
      const byExt = Object.fromEntries(Object.values(main.conversations).map((v) => [v.extension, v]));
      expect(byExt["101"]).toMatchObject({ end_reason: "transferred", talk_seconds: 13 });
      expect(byExt["102"]).toMatchObject({ end_reason: "completed", talk_seconds: 14, transferred_from: "101" });
      expect(main.talk_seconds).toBe(27);
      // The call ended only when its last channel (the client, after 102) was gone.
      expect(ended.at(-1)!.at).toBe(BASE + 30000);
      expect(main.record).toContain("in-74951234567-79161234567-1800000000.10.wav");
    });
  }
});

describe("FreePBX queue with Local/<ext>@from-queue/n members (synthetic)", () => {
  const support = () => localMemberQueue({ queue: "support", number: "601", exts: ["501", "502"], answerer: "502", optimize: false });

  it("resolves the real phones behind the Local pairs; the non-CRM support group is kept apart", () => {
    const r = run(support());
    expect(r.diagnostics).toBe(0);
    expect(stageList(r.events)).toEqual([
      "conversation_requested 501",
      "conversation_requested 502",
      "conversation_ended 501",
      "conversation_accepted 502",
      "conversation_ended 502",
      "call_ended",
    ]);
    const c = onlyCall(r);
    // Local halves are never employees; conversations sit on PJSIP/501 and PJSIP/502.
    expect(Object.values(c.conversations).map((v) => v.channel.name)).toEqual(["PJSIP/501-00000017", "PJSIP/502-0000001a"]);
    for (const v of Object.values(c.conversations)) expect(v).toMatchObject({ excluded: true, queue: "support", via: "601", group: "support" });
    expect(c.conversations["1800000100.26"]).toBeDefined();
    expect(c).toMatchObject({
      result: 200,
      answered_conversation_id: "",
      answered_extension: "",
      rang_extensions: [],
      excluded_extensions: ["501", "502"],
      talk_seconds: 0,
      talk_seconds_total: 20,
      is_ivr: false,
    });
    expect(Object.values(c.conversations)[0]!.end_reason).toBe("answered_elsewhere");
  });

  it("without the exclusion config the same call is answered by 502", () => {
    const c = onlyCall(run(support(), {}));
    expect(c).toMatchObject({ answered_extension: "502", rang_extensions: ["501", "502"], talk_seconds: 20 });
  });

  it("Local channel optimization: the phone swaps into the client's bridge, the pair hangs up, the call goes on", () => {
    const r = run(localMemberQueue({ queue: "sales", number: "600", exts: ["101", "103"], answerer: "103", optimize: true }));
    expect(r.diagnostics).toBe(0);
    expect(stageList(r.events)).toEqual([
      "conversation_requested 101",
      "conversation_requested 103",
      "conversation_ended 101",
      "conversation_accepted 103",
      "conversation_ended 103",
      "call_ended",
    ]);
    const accepted = r.events.find((e) => e.stage === "conversation_accepted")!;
    const ended103 = r.events.filter((e) => e.stage === "conversation_ended").at(-1)!;
    expect(ended103.at - accepted.at).toBe(20000); // not cut short when the Local pair hung up at 6.1 s
    const c = onlyCall(r);
    expect(c).toMatchObject({ answered_extension: "103", talk_seconds: 20, result: 200 });
    expect(c.conversations[accepted.conversationId]).toMatchObject({ queue: "sales", via: "600", excluded: false });
  });
});

describe("IVR-missed call (synthetic)", () => {
  it("an inbound call that never rang anyone: only call_ended, is_ivr, result 304", () => {
    const r = run(ivrMissed());
    expect(stageList(r.events)).toEqual(["call_ended"]);
    const c = onlyCall(r);
    expect(c).toMatchObject({ is_ivr: true, result: 304, direction: "inbound", client_number: "79161234567", line_number: "74951234567", talk_seconds: 0 });
    expect(c.channel!.was_answered).toBe(true); // answered by the IVR, still missed
  });
});

describe("hold (recording 15)", () => {
  it("is_parked is true between Hold and Unhold, false after", () => {
    const rec = loadRecording("15_inbound_hold_long_call");
    const base = epochBase(rec.messages);
    const holdAt = rec.messages.findIndex((m) => m.message.event === "Hold");
    const unholdAt = rec.messages.findIndex((m) => m.message.event === "Unhold");
    const r = newReplay();
    feed(r, rec.messages.slice(0, holdAt + 1), base, LAB_CONFIG);
    const key = "1795257608.0";
    const during = snapshotCall(r.state, key, base + rec.messages[holdAt]!.t, LAB_CONFIG)!;
    expect(during.conversations["1795257608.1"]!.is_parked).toBe(true);
    expect(during.active_conversation_id).toBe("1795257608.1");
    feed(r, rec.messages.slice(holdAt + 1, unholdAt + 1), base, LAB_CONFIG);
    expect(snapshotCall(r.state, key, base + rec.messages[unholdAt]!.t, LAB_CONFIG)!.conversations["1795257608.1"]!.is_parked).toBe(false);
  });
});

describe("click-to-call correlation", () => {
  it("with the connector's own Originate action fed in, the failed originate is matched by ActionID", () => {
    const r = replayRecording("17c_click2call_phone_no_answer", LAB_CONFIG, true);
    expect(onlyCall(r).click_to_call).toMatchObject({ action_id: "crm-c2c-0003", crm_call_id: "crm-call-0003", exten: "89161234567", channel: "PJSIP/101", reason: 3 });
  });

  it("the CRM variable name is configurable", () => {
    const r = replayRecording("12_click2call_answered", { ...LAB_CONFIG, clickToCallVariable: "CRM_USER_ID" });
    expect(onlyCall(r).click_to_call?.crm_call_id).toBe("17");
  });

  it("Originate that never creates a channel (Reason 0): a call that only ends, with the originate's data", () => {
    const state = createTrackerState();
    const action = AmiMessage.from({
      Action: "Originate",
      ActionID: "c2c-77",
      Channel: "PJSIP/106",
      Context: "from-internal",
      Exten: "89161234567",
      Async: "true",
      Variable: ["CRM_CALL_ID=b24-777", "CRM_USER_ID=6"],
    });
    expect(track(state, action, 1000).events).toEqual([]);
    const resp = AmiMessage.from({
      Event: "OriginateResponse",
      ActionID: "c2c-77",
      Response: "Failure",
      Channel: "PJSIP/106",
      Context: "from-internal",
      Exten: "89161234567",
      Reason: "0",
      Uniqueid: "<unknown>",
      CallerIDNum: "<unknown>",
    });
    const out = track(state, resp, 1200);
    expect(out.events.map((e) => e.stage)).toEqual(["call_ended"]);
    expect(out.events[0]!.call).toMatchObject({
      call_key: "originate:c2c-77",
      direction: "outbound",
      client_number: "89161234567",
      result: 503,
      end_reason: "originate_failed",
      click_to_call: { action_id: "c2c-77", crm_call_id: "b24-777", channel: "PJSIP/106", response: "Failure", reason: 0, reason_text: "failed" },
    });
    expect(state.calls).toEqual({});
    expect(state.originates).toEqual({});
  });

  it("a late OriginateResponse Failure after its call ended does not start a second call", () => {
    const rec = loadRecording("17c_click2call_phone_no_answer");
    const base = epochBase(rec.messages);
    const msgs = rec.messages.filter((m) => m.message.event !== "OriginateResponse");
    const resp = rec.messages.find((m) => m.message.event === "OriginateResponse")!;
    const r = newReplay();
    feed(r, [...msgs, { t: msgs.at(-1)!.t + 10, message: resp.message }], base, LAB_CONFIG);
    expect(r.events.filter((e) => e.stage === "call_ended")).toHaveLength(1);
    expect(onlyCall(r).result).toBe(480); // from the phone's Hangup cause 19
  });
});

describe("expire", () => {
  it("closes a call with no event for staleCallMs, exactly once", () => {
    const rec = loadRecording("01_inbound_ext101_answered");
    const base = epochBase(rec.messages);
    const r = newReplay();
    const cut = rec.messages.findIndex((m) => m.message.event === "BridgeEnter");
    feed(r, rec.messages.slice(0, cut + 2), base, LAB_CONFIG);
    const last = base + rec.messages[cut + 1]!.t;
    const cfg = { ...LAB_CONFIG, staleCallMs: 60_000 };
    expect(expire(r.state, last + 59_000, cfg).events).toEqual([]);
    const out = expire(r.state, last + 61_000, cfg);
    expect(out.events.map((e) => e.stage)).toEqual(["conversation_ended", "call_ended"]);
    expect(out.events[1]!.call).toMatchObject({ end_reason: "expired", result: 200, answered_extension: "101" });
    expect(r.state.calls).toEqual({});
    expect(expire(r.state, last + 120_000, cfg).events).toEqual([]);
  });
});

describe("persisted state", () => {
  it("is plain JSON: a connector restarted mid-call from the per-call records finishes the call the same way", async () => {
    const { stateFromCalls } = await import("../../src/tracker/index.js");
    for (const name of ["02_inbound_queue_sales_102_answers", "09_inbound_blind_transfer_101_to_102", "17d_click2call_local_channel"]) {
      const rec = loadRecording(name);
      const base = epochBase(rec.messages);
      const whole = replayRecording(name);
      const half = Math.floor(rec.messages.length / 2);
      const r = newReplay();
      feed(r, rec.messages.slice(0, half), base, LAB_CONFIG);
      const persisted = Object.values(r.state.calls).map((c) => JSON.stringify(c));
      r.state = stateFromCalls(persisted.map((s) => JSON.parse(s)));
      feed(r, rec.messages.slice(half), base, LAB_CONFIG);
      expect(r.events.map((e) => e.stage)).toEqual(whole.events.map((e) => e.stage));
      expect(onlyCall(r)).toEqual(onlyCall(whole));
    }
  });
});
