/**
 * Pickup, parking and voicemail at the pure tracker level, on the SYNTHETIC fixtures of
 * synthetic-flows.ts (no real recording of these flows exists; built from the Asterisk 22 AMI
 * documentation of the events). The same fixtures run end to end in
 * test/e2e/synthetic-flows.e2e.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { CallFull } from "../../src/tracker/index.js";
import { feed, LAB_CONFIG, newReplay, stageList, type Replay } from "./replay.js";
import { parkAsterisk22Flow, parkFlow, pickupFlow, voicemailFlow, type SyntheticFlow } from "./synthetic-flows.js";

const BASE = 1_796_000_000_000 - 400;

function run(flow: SyntheticFlow): Replay {
  const r = newReplay();
  feed(r, flow.messages, BASE, LAB_CONFIG);
  return r;
}

/** The client's call (the other calls were merged into it). */
function clientCall(r: Replay): CallFull {
  const calls = [...r.ended.values()].filter((c) => c.end_reason !== "merged");
  expect(calls).toHaveLength(1);
  return calls[0]!;
}

function convByExt(c: CallFull, ext: string) {
  return Object.values(c.conversations).filter((v) => v.extension === ext);
}

describe("call pickup (synthetic: Pickup event + masquerade)", () => {
  it("answered by the picker: responsible 102, 101's ringing ended as picked_up, talk of the picked-up conversation", () => {
    const r = run(pickupFlow());
    expect(r.diagnostics).toBe(0);
    expect(Object.keys(r.state.calls)).toEqual([]);
    // The picker's own call (linkedid of its *8 channel) ends merged into the client's call.
    const merged = [...r.ended.values()].filter((c) => c.end_reason === "merged");
    expect(merged.map((c) => [c.call_key, c.merged_into])).toEqual([["1796000005.2", "1796000000.0"]]);
    const c = clientCall(r);
    expect(stageList(r.events, "1796000000.0")).toEqual([
      "conversation_requested 101",
      "conversation_ended 101",
      "conversation_requested 102",
      "conversation_accepted 102",
      "conversation_ended 102",
      "call_ended",
    ]);
    expect(c).toMatchObject({
      direction: "inbound",
      client_number: "79161234567",
      line_number: "74951234567",
      result: 200,
      answered_extension: "102",
      rang_extensions: ["101", "102"],
      pickups: [{ by: "102", from: "101" }],
      end_reason: "hangup",
    });
    expect(convByExt(c, "101")[0]).toMatchObject({ end_reason: "picked_up", was_accepted: false });
    expect(convByExt(c, "102")[0]).toMatchObject({ end_reason: "completed", picked_up_from: "101", talk_seconds: 22 });
    expect(c.talk_seconds).toBe(22);
    expect(c.record).toContain("in-74951234567-79161234567-20261201-100000-1796000000.0.wav");
  });
});

describe("call parking (synthetic: ParkedCall / UnParkedCall / ParkedCallTimeOut / ParkedCallGiveUp)", () => {
  it("retrieved by 102: responsible 102, talk = the client's whole conversation (parked wait is hold)", () => {
    const r = run(parkFlow("retrieved"));
    expect(r.diagnostics).toBe(0);
    const c = clientCall(r);
    expect(stageList(r.events, c.call_key)).toEqual([
      "conversation_requested 101",
      "conversation_accepted 101",
      "conversation_ended 101",
      "conversation_requested 102",
      "conversation_accepted 102",
      "conversation_ended 102",
      "call_ended",
    ]);
    expect(c).toMatchObject({
      result: 200,
      answered_extension: "102",
      transfers: [{ kind: "blind", from: "101", to: "700" }],
      parks: [{ space: "701", lot: "default", parker: "101", outcome: "retrieved", retriever: "102" }],
    });
    expect(convByExt(c, "101")[0]).toMatchObject({ end_reason: "transferred", talk_seconds: 7 });
    expect(convByExt(c, "102")[0]).toMatchObject({ end_reason: "completed", transferred_from: "101", retrieved_from: "701", talk_seconds: 20 });
    expect(c.talk_seconds).toBe(37);
  });

  it("timed out: back to the parker 101, who answers; responsible 101, the park counts as hold", () => {
    const r = run(parkFlow("timeout"));
    expect(r.diagnostics).toBe(0);
    const c = clientCall(r);
    expect(c).toMatchObject({ result: 200, answered_extension: "101", parks: [{ parker: "101", outcome: "timeout", retriever: "" }] });
    expect(convByExt(c, "101").map((v) => v.end_reason)).toEqual(["transferred", "completed"]);
    // ParkedCall came before BlindTransfer: the transfer was the park, not a transfer to the dialled-back 101.
    expect(convByExt(c, "101").map((v) => v.transferred_from)).toEqual(["", ""]);
    expect(c.talk_seconds).toBe(7 + 30 + 12);
  });

  it("the client gives up in the slot: answered by 101, talk up to the give-up", () => {
    const r = run(parkFlow("giveup"));
    expect(r.diagnostics).toBe(0);
    const c = clientCall(r);
    expect(c).toMatchObject({ result: 200, answered_extension: "101", end_reason: "hangup", parks: [{ outcome: "giveup" }] });
    expect(c.talk_seconds).toBe(22);
    // The client's leg is not "parked" any more once the call is over.
    expect(Object.values(c.conversations).every((v) => !v.is_parked)).toBe(true);
  });
});

describe("call parking in Asterisk 22's order (synthetic: BridgeEnter of parkee and retriever before UnParkedCall)", () => {
  it("retrieved by 102: responsible 102 from the bridge, talk = the client's whole conversation", () => {
    const r = run(parkAsterisk22Flow("102"));
    expect(r.diagnostics).toBe(0);
    expect(Object.keys(r.state.calls)).toEqual([]);
    const c = clientCall(r);
    // 102's own call (its *701 channel's linkedid) ends merged into the client's call.
    expect([...r.ended.values()].filter((v) => v.end_reason === "merged").map((v) => v.merged_into)).toEqual([c.call_key]);
    const stages = stageList(r.events, c.call_key);
    expect(stages).toEqual([
      "conversation_requested 101",
      "conversation_accepted 101",
      "conversation_ended 101",
      "conversation_requested 102",
      "conversation_accepted 102",
      "conversation_ended 102",
      "call_ended",
    ]);
    // 102 is accepted at its BridgeEnter, before UnParkedCall arrives.
    const accepted = r.events.find((e) => e.stage === "conversation_accepted" && e.call.conversations[e.conversationId!]?.extension === "102")!;
    expect(accepted.at).toBe(BASE + 20000);
    expect(c).toMatchObject({
      result: 200,
      answered_extension: "102",
      transfers: [{ kind: "blind", from: "101", to: "700" }],
      parks: [{ space: "701", parker: "101", outcome: "retrieved", retriever: "102" }],
    });
    expect(convByExt(c, "101")[0]).toMatchObject({ end_reason: "transferred", talk_seconds: 11 });
    expect(convByExt(c, "102")[0]).toMatchObject({ end_reason: "completed", transferred_from: "101", retrieved_from: "701", talk_seconds: 20 });
    expect(c.talk_seconds).toBe(37);
  });

  it("the same events with UnParkedCall first (older order) give the same outcome", () => {
    const flow = parkAsterisk22Flow("102");
    const i = flow.messages.findIndex((m) => m.message.event === "UnParkedCall");
    const j = flow.messages.findIndex((m) => m.message.event === "MusicOnHoldStop");
    const msgs = [...flow.messages];
    const [unparked] = msgs.splice(i, 1);
    msgs.splice(j, 0, unparked!);
    const r = run({ ...flow, messages: msgs });
    expect(r.diagnostics).toBe(0);
    const c = clientCall(r);
    expect(c).toMatchObject({ answered_extension: "102", talk_seconds: 37, parks: [{ outcome: "retrieved", retriever: "102" }] });
  });

  it("without any UnParkedCall (lost, or an Asterisk that never sends it) the bridge alone tells the retrieval", () => {
    const flow = parkAsterisk22Flow("102");
    const r = run({ ...flow, messages: flow.messages.filter((m) => m.message.event !== "UnParkedCall") });
    expect(r.diagnostics).toBe(0);
    const c = clientCall(r);
    expect(c).toMatchObject({ answered_extension: "102", talk_seconds: 37, parks: [{ outcome: "retrieved", retriever: "102", ended_at: BASE + 20000 }] });
  });

  it("retrieved by 501, outside the CRM: the call stays with the parker 101; 501's talk is kept apart", () => {
    const r = run(parkAsterisk22Flow("non-crm-501"));
    expect(r.diagnostics).toBe(0);
    const c = clientCall(r);
    expect(c).toMatchObject({ result: 200, answered_extension: "101", excluded_extensions: ["501"], parks: [{ outcome: "retrieved", retriever: "501" }] });
    expect(convByExt(c, "501")[0]).toMatchObject({ was_accepted: true, excluded: true, retrieved_from: "701", talk_seconds: 20 });
    // LAB_CONFIG lists 501 as non-CRM: talk ends when 501 took the client; the whole conversation is in the total.
    expect(c.talk_seconds).toBe(17);
    expect(c.talk_seconds_total).toBe(37);
  });

  it("retrieved a minute after the parker hung up: responsible 102, the slot is hold", () => {
    const r = run(parkAsterisk22Flow("parker-gone-long-before"));
    expect(r.diagnostics).toBe(0);
    const c = clientCall(r);
    expect(c).toMatchObject({ result: 200, answered_extension: "102", parks: [{ parker: "101", outcome: "retrieved", retriever: "102" }] });
    expect(convByExt(c, "102")[0]).toMatchObject({ transferred_from: "101", talk_seconds: 20 });
    expect(c.talk_seconds).toBe(92);
  });
});

describe("voicemail (synthetic: VoiceMail app, VM_MESSAGEFILE, MessageWaiting)", () => {
  it("missed call that rang 101 then went to voicemail: the voicemail file is on the call, 101 rang", () => {
    const r = run(voicemailFlow());
    expect(r.diagnostics).toBe(0);
    const c = clientCall(r);
    expect(c).toMatchObject({
      result: 304,
      is_ivr: false,
      answered_extension: "",
      rang_extensions: ["101"],
      record: "",
      voicemails: ["/var/spool/asterisk/voicemail/default/101/INBOX/msg0000"],
    });
    expect(convByExt(c, "101")[0]).toMatchObject({ end_reason: "no_answer" });
  });
});
