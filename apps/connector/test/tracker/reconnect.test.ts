/**
 * AMI link down between messages N and N+K: those messages are lost; at N+K the connector
 * runs CoreShowChannels and feeds `reconcile` with the channels live at that moment (computed
 * from the recording by an independent model of Asterisk's channel table), then goes on.
 * Every call must still end exactly once, with consistent stage order.
 */
import { describe, expect, it } from "vitest";
import { AmiMessage } from "@asterisk-b24/ami";
import { loadRecording, recordingNames } from "@asterisk-b24/testkit";
import { adoptionVariables, createTrackerState, reconcile } from "../../src/tracker/index.js";
import { attendedTransfer, localMemberQueue } from "./synthetic-fixtures.js";
import { syntheticFlows } from "./synthetic-flows.js";
import { epochBase, feed, LAB_CONFIG, liveChannelsAfter, newReplay, onlyCall, replayWithGap, type Replay } from "./replay.js";
import type { TimedMessage } from "@asterisk-b24/testkit";

function checkEndsOnce(r: Replay, label: string): void {
  expect(Object.keys(r.state.calls), label).toEqual([]);
  const keys = new Set(r.events.map((e) => e.callKey));
  for (const key of keys) {
    const evs = r.events.filter((e) => e.callKey === key);
    expect(evs.filter((e) => e.stage === "call_ended").length, `${label} ${key}`).toBe(1);
    expect(evs.at(-1)!.stage, label).toBe("call_ended");
    const perConv = new Map<string, string[]>();
    for (const e of evs) if (e.stage !== "call_ended") perConv.set(e.conversationId, [...(perConv.get(e.conversationId) ?? []), e.stage]);
    for (const stages of perConv.values()) {
      expect(stages[0], label).toBe("conversation_requested");
      expect(stages.at(-1), label).toBe("conversation_ended");
      expect(new Set(stages).size, label).toBe(stages.length);
    }
  }
}

function gapsFor(length: number): [number, number][] {
  const out: [number, number][] = [];
  for (const k of [3, 15, 60]) {
    for (let i = 1; i <= 8; i++) {
      const n = Math.floor((length * i) / 9);
      out.push([n, Math.min(length, n + k)]);
    }
  }
  out.push([Math.floor(length / 3), length]); // down until the end: reconcile with an empty PBX
  return out;
}

describe("reconnect with CoreShowChannels reconcile", () => {
  for (const name of recordingNames()) {
    it(`${name}: every call ends exactly once at every cut point`, () => {
      const length = loadRecording(name).messages.length;
      for (const [from, to] of gapsFor(length)) checkEndsOnce(replayWithGap(name, from, to), `${name} gap ${from}-${to}`);
    });
  }

  it("synthetic flows (attended transfer, Local queue members, pickup, parking, voicemail) survive gaps too", () => {
    const fixtures: [string, TimedMessage[]][] = [
      ["attended", attendedTransfer()],
      ["queue-local", localMemberQueue({ queue: "support", number: "601", exts: ["501", "502"], answerer: "502", optimize: true })],
      ...syntheticFlows().map((f) => [f.name, f.messages] as [string, TimedMessage[]]),
    ];
    for (const [label, msgs] of fixtures) {
      for (const [from, to] of gapsFor(msgs.length)) {
        const r = newReplay();
        feed(r, msgs.slice(0, from), 0, LAB_CONFIG);
        const out = reconcile(r.state, liveChannelsAfter(msgs.slice(0, to)), msgs[to - 1]!.t, LAB_CONFIG);
        for (const e of out.events) r.events.push(e);
        feed(r, msgs.slice(to), 0, LAB_CONFIG);
        checkEndsOnce(r, `${label} ${from}-${to}`);
      }
    }
  });

  it("a gap after the answer keeps the outcome: answered by 102, talk measured to the end", () => {
    const name = "02_inbound_queue_sales_102_answers";
    const msgs = loadRecording(name).messages;
    const connect = msgs.findIndex((m) => m.message.event === "AgentConnect");
    const r = replayWithGap(name, connect + 10, connect + 20);
    const c = onlyCall(r);
    expect(c).toMatchObject({ result: 200, answered_extension: "102", talk_seconds: 12, end_reason: "hangup" });
  });

  it("a gap over the answer: the conversation is accepted at reconcile (talk counted from then)", () => {
    const name = "01_inbound_ext101_answered";
    const msgs = loadRecording(name).messages;
    const ringing = msgs.findIndex((m) => m.message.event === "Newstate" && m.message.get("ChannelStateDesc") === "Ringing");
    const bridged = msgs.findIndex((m) => m.message.event === "BridgeEnter");
    const r = replayWithGap(name, ringing + 1, bridged + 5);
    const c = onlyCall(r);
    expect(c).toMatchObject({ result: 200, answered_extension: "101" });
    expect(c.talk_seconds).toBeGreaterThanOrEqual(14);
  });

  it("a call that ended while we were away is closed by reconcile with what we knew", () => {
    const name = "17a_inbound_ringgroup_102_answers";
    const msgs = loadRecording(name).messages;
    const bridged = msgs.findIndex((m) => m.message.event === "BridgeEnter");
    const r = replayWithGap(name, bridged + 2, msgs.length);
    const c = onlyCall(r);
    expect(c).toMatchObject({ end_reason: "reconcile", result: 200, answered_extension: "102", direction: "inbound" });
  });

  it("channels we never saw are adopted, joined to their call by Linkedid", () => {
    const rec = loadRecording("02_inbound_queue_sales_102_answers");
    const base = epochBase(rec.messages);
    const state = createTrackerState();
    // Connector started after 102 and the client were bridged (101/103 already hung up).
    const bridged = rec.messages.findIndex((m) => m.message.event === "BridgeEnter" && m.message.get("Channel")!.startsWith("PJSIP/provider"));
    const cut = bridged + 1;
    const live = liveChannelsAfter(rec.messages.slice(0, cut));
    expect(live.map((m) => m.get("Channel"))).toEqual(["PJSIP/provider-00000000", "PJSIP/102-00000002"]);
    const out = reconcile(state, live, base + rec.messages[cut - 1]!.t, LAB_CONFIG);
    expect(Object.keys(state.calls)).toEqual(["1795257437.0"]);
    expect(out.events.map((e) => e.stage)).toEqual(["conversation_requested", "conversation_accepted"]);
    expect(out.events[1]!.call).toMatchObject({ direction: "inbound", client_number: "79161234567", answered_extension: "102" });
    const r = newReplay();
    r.state = state;
    feed(r, rec.messages.slice(cut), base, LAB_CONFIG);
    expect(onlyCall(r)).toMatchObject({ result: 200, answered_extension: "102" });
  });

  it("ignores non-CoreShowChannel entries and garbage in the list", () => {
    const state = createTrackerState();
    const out = reconcile(state, [AmiMessage.from({ Event: "CoreShowChannelsComplete", EventList: "Complete", ListItems: "0" }), AmiMessage.from({ Event: "CoreShowChannel" })], 1);
    expect(out.events).toEqual([]);
    expect(state.calls).toEqual({});
  });
});

describe("adoption with what Asterisk still knows (ChanVariable headers from Getvar)", () => {
  /** Live channels at `cut` with the variables the recording had set on them by then. */
  function liveWithVariables(messages: readonly TimedMessage[], names: readonly string[]): AmiMessage[] {
    const vars = new Map<string, Map<string, string>>();
    for (const { message } of messages) {
      if (message.event !== "VarSet") continue;
      const name = (message.get("Variable") ?? "").replace(/^_+/, "");
      if (!names.includes(name)) continue;
      const uid = message.get("Uniqueid")!;
      if (!vars.has(uid)) vars.set(uid, new Map());
      vars.get(uid)!.set(name, message.get("Value") ?? "");
    }
    return liveChannelsAfter(messages).map((m) => {
      const extra = [...(vars.get(m.get("Uniqueid")!) ?? new Map())].filter(([, v]) => v !== "").map(([k, v]) => ["ChanVariable", `${k}=${v}`] as [string, string]);
      return new AmiMessage([...m.fields, ...extra]);
    });
  }

  it("an outbound call adopted in the middle is outbound with the dialled number and its recording", () => {
    const rec = loadRecording("06_outbound_answered");
    const cut = rec.messages.findIndex((m) => m.message.event === "BridgeEnter" && m.message.get("Channel")!.startsWith("PJSIP/101")) + 1;
    const live = liveWithVariables(rec.messages.slice(0, cut), adoptionVariables(LAB_CONFIG));
    // Asterisk lists channels in hash order: the trunk leg first must not make it inbound.
    live.reverse();
    const state = createTrackerState();
    const out = reconcile(state, live, epochBase(rec.messages) + rec.messages[cut - 1]!.t, LAB_CONFIG);
    const call = out.events.at(-1)!.call;
    expect(call).toMatchObject({ direction: "outbound", client_number: "89161234567", line_number: "provider", answered_extension: "101" });
    expect(call.record).toContain("out-89161234567-101-");
  });

  it("an inbound queue call adopted in the middle has the DID as its line, not the queue number", () => {
    const rec = loadRecording("02_inbound_queue_sales_102_answers");
    const cut = rec.messages.findIndex((m) => m.message.event === "BridgeEnter" && m.message.get("Channel")!.startsWith("PJSIP/provider")) + 1;
    const live = liveWithVariables(rec.messages.slice(0, cut), adoptionVariables(LAB_CONFIG)).map((m) =>
      // where a queue call really is now: the queue's context and number
      m.get("Channel")!.startsWith("PJSIP/provider")
        ? new AmiMessage(m.fields.map(([k, v]) => [k, k === "Exten" ? "600" : k === "Context" ? "ext-queues" : v] as [string, string]))
        : m,
    );
    const state = createTrackerState();
    const out = reconcile(state, live, epochBase(rec.messages) + rec.messages[cut - 1]!.t, LAB_CONFIG);
    const call = out.events.at(-1)!.call;
    expect(call).toMatchObject({ direction: "inbound", client_number: "79161234567", line_number: "74951234567", did: "74951234567" });
    expect(call.record).toContain("in-74951234567-79161234567-");
    // Without the variables the line is the trunk, never the queue number.
    const bare = reconcile(
      createTrackerState(),
      live.map((m) => new AmiMessage(m.fields.filter(([k]) => k !== "ChanVariable"))),
      1,
      LAB_CONFIG,
    );
    expect(bare.events.at(-1)!.call.line_number).toBe("provider");
  });

  /** `CDR(answer,u)` as Asterisk answers it: epoch seconds of the channel's answer (its first Up), on a PBX clock `pbxLeadMs` ahead. */
  function withAnswerTimes(live: AmiMessage[], messages: readonly TimedMessage[], base: number, pbxLeadMs = 0): AmiMessage[] {
    const up = new Map<string, number>();
    for (const { t, message } of messages) {
      const uid = message.get("Uniqueid");
      if (uid && message.get("ChannelState") === "6" && !up.has(uid)) up.set(uid, t);
    }
    return live.map((m) => {
      const t = up.get(m.get("Uniqueid")!);
      const value = t === undefined ? "0.000000" : ((base + t + pbxLeadMs) / 1000).toFixed(6);
      return new AmiMessage([...m.fields, ["ChanVariable", `CDR(answer,u)=${value}`]]);
    });
  }

  /** Starts tracking at `startMs` into the recording (adopting what is live), then plays the rest; `pbxLeadMs` = PBX clock − ours. */
  function adoptAt(name: string, startMs: number, o: { answers: boolean; pbxLeadMs?: number }): Replay {
    const rec = loadRecording(name);
    const base = epochBase(rec.messages);
    const cut = rec.messages.findIndex((m) => m.t >= startMs);
    const before = rec.messages.slice(0, cut);
    let live = liveWithVariables(before, adoptionVariables(LAB_CONFIG));
    if (o.answers) live = withAnswerTimes(live, before, base, o.pbxLeadMs ?? 0);
    const r = newReplay();
    const out = reconcile(r.state, live, base + rec.messages[cut - 1]!.t, LAB_CONFIG, { pbxOffsetMs: o.pbxLeadMs ?? 0 });
    r.events.push(...out.events);
    feed(r, rec.messages.slice(cut), base, LAB_CONFIG);
    return r;
  }

  /** Seconds between the first messages matching `a` and `b` in a recording. */
  function secondsBetween(name: string, a: (e: AmiMessage) => boolean, b: (e: AmiMessage) => boolean): number {
    const msgs = loadRecording(name).messages;
    const ta = msgs.find((m) => a(m.message))!.t;
    const tb = msgs.find((m) => b(m.message))!.t;
    return Math.round((tb - ta) / 1000);
  }
  const up = (channel: string) => (m: AmiMessage) => m.event === "Newstate" && m.get("ChannelState") === "6" && m.get("Channel")!.startsWith(channel);
  const hangup = (channel: string) => (m: AmiMessage) => m.event === "Hangup" && m.get("Channel")!.startsWith(channel);

  it("talk of an adopted outbound call counts from the CDR answer, not from the adoption", () => {
    const name = "06_outbound_answered";
    const want = secondsBetween(name, up("PJSIP/101"), hangup("PJSIP/provider"));
    expect(want).toBe(12);
    const c = onlyCall(adoptAt(name, 8000, { answers: true }));
    expect(c).toMatchObject({ direction: "outbound", result: 200, answered_extension: "101", talk_seconds: want });
    expect(c.answered_at).toBe(epochBase(loadRecording(name).messages) + 4423);
  });

  it("the PBX's clock may differ from ours: CDR answer times are converted with the measured offset", () => {
    for (const lead of [-45_000, 30_000]) {
      const c = onlyCall(adoptAt("06_outbound_answered", 8000, { answers: true, pbxLeadMs: lead }));
      expect(c.talk_seconds, `PBX ${lead} ms ahead`).toBe(12);
    }
  });

  it("an adopted queue call counts from the agent's answer (the trunk was answered by the queue long before)", () => {
    const name = "02_inbound_queue_sales_102_answers";
    const want = secondsBetween(name, up("PJSIP/102"), hangup("PJSIP/102"));
    const c = onlyCall(adoptAt(name, 10000, { answers: true }));
    expect(c).toMatchObject({ direction: "inbound", result: 200, answered_extension: "102", talk_seconds: want });
  });

  it("after a blind transfer, the adopted conversation of 102 counts from 102's answer", () => {
    const name = "09_inbound_blind_transfer_101_to_102";
    const want = secondsBetween(name, up("PJSIP/102"), hangup("PJSIP/102"));
    const c = onlyCall(adoptAt(name, 18000, { answers: true }));
    expect(c).toMatchObject({ direction: "inbound", result: 200, answered_extension: "102", talk_seconds: want });
  });

  it("without CDR answers (cdr off, Getvar failed) the talk counts from the adoption, never 0", () => {
    const c = onlyCall(adoptAt("06_outbound_answered", 8000, { answers: false }));
    const msgs = loadRecording("06_outbound_answered").messages;
    const adoptedAt = msgs[msgs.findIndex((m) => m.t >= 8000) - 1]!.t;
    const end = msgs.find((m) => hangup("PJSIP/provider")(m.message))!.t;
    expect(c).toMatchObject({ result: 200, answered_extension: "101", talk_seconds: Math.round((end - adoptedAt) / 1000) });
    expect(c.talk_seconds).toBeGreaterThan(0);
  });

  it("a phone we saw ringing and that answered while we were away counts from its CDR answer", () => {
    const name = "01_inbound_ext101_answered";
    const rec = loadRecording(name);
    const msgs = rec.messages;
    const base = epochBase(msgs);
    const ringing = msgs.findIndex((m) => m.message.event === "Newstate" && m.message.get("ChannelStateDesc") === "Ringing");
    const bridged = msgs.findIndex((m) => m.message.event === "BridgeEnter");
    const [from, to] = [ringing + 1, bridged + 5];
    const run = (answers: boolean) => {
      const r = newReplay();
      feed(r, msgs.slice(0, from), base, LAB_CONFIG);
      let live = liveChannelsAfter(msgs.slice(0, to));
      if (answers) live = withAnswerTimes(live, msgs.slice(0, to), base);
      r.events.push(...reconcile(r.state, live, base + msgs[to - 1]!.t, LAB_CONFIG).events);
      feed(r, msgs.slice(to), base, LAB_CONFIG);
      return onlyCall(r);
    };
    const want = secondsBetween(name, up("PJSIP/101"), hangup("PJSIP/101"));
    expect(run(true)).toMatchObject({ answered_extension: "101", talk_seconds: want });
    // Without it: from the reconcile (the answer happened during the gap, a little earlier).
    expect(run(false).talk_seconds).toBeLessThanOrEqual(want);
  });
});
