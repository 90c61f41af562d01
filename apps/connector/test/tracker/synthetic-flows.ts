/**
 * SYNTHETIC fixtures (NOT captured from a PBX) for call pickup, call parking and voicemail: no
 * real recording of these exists. Built from the Asterisk 22 AMI documentation of each event
 * (Pickup; ParkedCall / UnParkedCall / ParkedCallTimeOut / ParkedCallGiveUp with their Parkee…,
 * Parker…, Retriever… blocks, ParkerDialString, Parkinglot, ParkingSpace, ParkingTimeout,
 * ParkingDuration; BridgeEnter/Leave; Hangup; VarSet; DialBegin/End; Newchannel; Newstate;
 * MusicOnHoldStart/Stop; MessageWaiting), from Asterisk's own code paths (app_pickup answers the
 * picker, then masquerades it into the ringing leg, swapping uniqueid AND linkedid; the ringing
 * phone's old identity hangs up as `<ZOMBIE>` with cause 26), and with the field sets of the
 * Asterisk 22 recordings in packages/testkit/fixtures/asterisk (trunk `provider`, DID
 * 74951234567, client 79161234567, phones 101 Ivan Petrov / 102 Maria Ivanova).
 *
 * `write-synthetic-fixtures.ts` writes them as NAME.jsonl (+ .ami, .actions.jsonl, .md,
 * .expect.json) into packages/testkit/fixtures/asterisk-synthetic/, where the end-to-end test
 * replays them like the real recordings; a test checks the files still equal these builders.
 */
import type { TimedMessage } from "@asterisk-b24/testkit";
import { SyntheticPbx, type Chan } from "./synthetic-pbx.js";

const DID = "74951234567";
const CLIENT = "79161234567";
const MONITOR = "/var/spool/asterisk/monitor/2026/12/01";
const PHONES: Record<string, string> = { "101": "Ivan Petrov", "102": "Maria Ivanova" };

export interface SyntheticFlow {
  name: string;
  title: string;
  /** What happens, for NAME.md. */
  story: string;
  /** AMI events the flow is built from (documentation pages). */
  events: string[];
  messages: TimedMessage[];
  /** NAME.expect.json's "b24" and "expect" parts (the CRM outcome the e2e test checks). */
  contactOwner: number;
  expect: Record<string, unknown>;
}

function expectCall(o: { responsible: number; status: "answered" | "missed"; talk: number; shownTo: number[]; record: boolean }): Record<string, unknown> {
  return {
    registrations: 1,
    calls: [
      {
        match: { PHONE_NUMBER: CLIENT },
        TYPE: 2,
        lineNumber: DID,
        responsible: o.responsible,
        status: o.status,
        duration: o.status === "answered" ? { value: o.talk, tolerance: 3 } : { max: 0 },
        shownTo: o.shownTo,
        record: o.record,
      },
    ],
    ami: { noInjection: true },
  };
}

function loginResponse(p: SyntheticPbx): void {
  p.at(1).raw({ Response: "Success", ActionID: "synthetic-1", Message: "Authentication accepted" });
}

function inbound(p: SyntheticPbx, uid: string, record: boolean): Chan {
  const client = p.newchannel("PJSIP/provider-00000000", uid, uid, { state: 4, cid: CLIENT, context: "from-trunk", exten: DID });
  p.varSet(client, "__FROM_DID", DID);
  if (record) {
    const file = `${MONITOR}/in-${DID}-${CLIENT}-20261201-100000-${uid}.wav`;
    p.varSet(client, "__REC_FILE", file.slice("/var/spool/asterisk/monitor/".length));
    p.event("MixMonitorStart", p.block(client));
    p.varSet(client, "MIXMONITOR_FILENAME", file);
  }
  client.context = "ext-local";
  return client;
}

function phone(p: SyntheticPbx, ext: string, uid: string, linkedid: string, connected: string): Chan {
  return p.newchannel(`PJSIP/${ext}-0000000${uid.split(".")[1]}`, uid, linkedid, { cid: ext, cidName: PHONES[ext] ?? ext, connected, exten: ext });
}

const basic = (id: string) => ({
  BridgeUniqueid: id,
  BridgeType: "basic",
  BridgeTechnology: "simple_bridge",
  BridgeCreator: "<unknown>",
  BridgeName: "<unknown>",
  BridgeNumChannels: "0",
  BridgeVideoSourceMode: "none",
});
const parking = (id: string) => ({
  BridgeUniqueid: id,
  BridgeType: "parking",
  BridgeTechnology: "holding_bridge",
  BridgeCreator: "Park",
  BridgeName: "default",
  BridgeNumChannels: "0",
  BridgeVideoSourceMode: "none",
});

function enterBridge(p: SyntheticPbx, b: Record<string, string>, ch: Chan): void {
  p.event("BridgeEnter", b, p.block(ch));
}
function leaveBridge(p: SyntheticPbx, b: Record<string, string>, ch: Chan): void {
  p.event("BridgeLeave", b, p.block(ch));
}

function ringAndAnswer(p: SyntheticPbx, client: Chan, ph: Chan, answerAt: number, bridge: string): void {
  p.dialBegin(client, ph, ph.exten).newstate(ph, 5);
  p.at(answerAt).newstate(ph, 6).dialEnd(client, ph, "ANSWER").newstate(client, 6);
  bridgeWith(p, bridge, ph, client);
}

/** The client leaves the parking bridge (retrieved or timed out). */
function leavePark(p: SyntheticPbx, client: Chan): void {
  p.event("MusicOnHoldStop", p.block(client));
  leaveBridge(p, parking("bridge-park"), client);
  p.event("BridgeDestroy", parking("bridge-park"));
}

/** A new basic bridge: the employee's phone, then the client. */
function bridgeWith(p: SyntheticPbx, bridge: string, ph: Chan, client: Chan): void {
  p.event("BridgeCreate", basic(bridge));
  enterBridge(p, basic(bridge), ph);
  enterBridge(p, basic(bridge), client);
}

function hangUpBridged(p: SyntheticPbx, bridge: string, first: Chan, second: Chan): void {
  leaveBridge(p, basic(bridge), first);
  p.hangup(first, 16);
  leaveBridge(p, basic(bridge), second);
  p.event("BridgeDestroy", basic(bridge));
  p.hangup(second, 16);
}

/** 101 rings for an inbound call; 102 dials *8 (group pickup) and talks to the client. */
export function pickupFlow(): SyntheticFlow {
  const p = new SyntheticPbx();
  loginResponse(p);
  const A = "1796000000.0";
  p.at(400);
  const client = inbound(p, A, true);
  client.exten = "101";
  const ringing = phone(p, "101", "1796000000.1", A, CLIENT);
  p.dialBegin(client, ringing, "101").newstate(ringing, 5);
  // 102 picks up with *8: its own channel, its own linkedid.
  p.at(5000);
  const B = "1796000005.2";
  const picker = p.newchannel("PJSIP/102-00000002", B, B, { state: 4, cid: "102", cidName: "Maria Ivanova", exten: "*8" });
  p.event("Newexten", p.block(picker), { Extension: "*8", Application: "Pickup", AppData: "" });
  p.newstate(picker, 6);
  p.event("Pickup", p.block(picker), p.block(ringing, "Target"));
  // Masquerade: the ringing leg's old identity becomes a zombie (uniqueid and linkedid swapped).
  p.event("Rename", p.block(ringing), { Newname: `${ringing.name}<ZOMBIE>` });
  ringing.name = `${ringing.name}<ZOMBIE>`;
  picker.connected = CLIENT;
  p.dialEnd(client, picker, "ANSWER").newstate(client, 6);
  p.hangup(ringing, 26, "Answered elsewhere");
  p.event("BridgeCreate", basic("bridge-pickup"));
  enterBridge(p, basic("bridge-pickup"), client);
  picker.linkedid = A; // the bridge gives every member the oldest linkedid
  enterBridge(p, basic("bridge-pickup"), picker);
  p.at(27000);
  hangUpBridged(p, "bridge-pickup", client, picker);
  return {
    name: "synthetic_pickup_102_picks_up_101",
    title: "Inbound call to 101 picked up by 102 (group pickup *8)",
    story:
      "External 79161234567 calls the DID 74951234567; the route dials 101. While 101 rings, 102 dials *8 " +
      "(Pickup). app_pickup answers 102's channel and masquerades it into the ringing leg: the Dial sees ANSWER " +
      "on 102's uniqueid, 101's old identity hangs up as <ZOMBIE> (cause 26). 102 talks to the client about 22 s; the client hangs up.\n\n" +
      "Expected CRM outcome: incoming call on line 74951234567, answered, responsible 102 (user 2), talk ~22 s, " +
      "card shown to 101 while ringing and to 102 (the picker), recording attached.",
    events: [
      "Newchannel",
      "DialBegin",
      "Newstate",
      "Newexten",
      "Pickup",
      "Rename",
      "DialEnd",
      "Hangup",
      "BridgeCreate",
      "BridgeEnter",
      "BridgeLeave",
      "BridgeDestroy",
      "VarSet",
      "MixMonitorStart",
    ],
    messages: p.messages,
    contactOwner: 1,
    expect: expectCall({ responsible: 2, status: "answered", talk: 22, shownTo: [1, 2], record: true }),
  };
}

type ParkEnd = "retrieved" | "timeout" | "giveup";

/** 101 answers, talks 7 s, parks the client (blind transfer to 700 → slot 701); then `end`. */
export function parkFlow(end: ParkEnd): SyntheticFlow {
  const p = new SyntheticPbx();
  loginResponse(p);
  const A = "1796000100.0";
  p.at(400);
  const client = inbound(p, A, true);
  client.exten = "101";
  const p101 = phone(p, "101", "1796000100.1", A, CLIENT);
  ringAndAnswer(p, client, p101, 3000, "bridge-1");
  // Blind transfer to the parking extension: the client goes to the parking bridge of slot 701.
  p.at(10000);
  leaveBridge(p, basic("bridge-1"), client);
  p.event("BridgeCreate", parking("bridge-park"));
  enterBridge(p, parking("bridge-park"), client);
  const parkFields = (duration: number, timeout = "30") => ({
    ParkerDialString: "PJSIP/101",
    Parkinglot: "default",
    ParkingSpace: "701",
    ParkingTimeout: timeout,
    ParkingDuration: String(duration),
  });
  p.event("ParkedCall", p.block(client, "Parkee"), p.block(p101, "Parker"), parkFields(0));
  p.event("MusicOnHoldStart", p.block(client), { Class: "default" });
  p.event("BlindTransfer", { Result: "Success" }, p.block(p101, "Transferer"), p.block(client, "Transferee"), {
    ...basic("bridge-1"),
    BridgeNumChannels: "1",
    IsExternal: "No",
    Context: "from-internal",
    Extension: "700",
  });
  leaveBridge(p, basic("bridge-1"), p101);
  p.event("BridgeDestroy", basic("bridge-1"));
  p.hangup(p101, 16);
  let name = "";
  let story = "";
  const events = [
    "Newchannel",
    "DialBegin",
    "DialEnd",
    "Newstate",
    "BridgeEnter",
    "BridgeLeave",
    "ParkedCall",
    "MusicOnHoldStart",
    "MusicOnHoldStop",
    "BlindTransfer",
    "Hangup",
    "VarSet",
  ];
  if (end === "retrieved") {
    p.at(20000);
    const R = "1796000120.2";
    const p102 = p.newchannel("PJSIP/102-00000002", R, R, { state: 4, cid: "102", cidName: "Maria Ivanova", exten: "701" });
    p.event("Newexten", p.block(p102), { Extension: "701", Application: "ParkedCall", AppData: "default,701" });
    p.newstate(p102, 6);
    // The parker's channel is gone: no Parker… block, ParkerDialString remains.
    p.event("UnParkedCall", p.block(client, "Parkee"), parkFields(10), p.block(p102, "Retriever"));
    leavePark(p, client);
    bridgeWith(p, "bridge-2", p102, client);
    p.at(40000);
    hangUpBridged(p, "bridge-2", client, p102);
    name = "synthetic_park_101_parks_102_retrieves";
    story =
      "External 79161234567 calls the DID; 101 answers (3 s) and talks 7 s, then parks the client with a blind transfer " +
      "to 700 (slot 701, lot default). 10 s later 102 dials 701 (ParkedCall) and talks 20 s; the client hangs up.\n\n" +
      "Expected CRM outcome: answered, responsible 102 (user 2, who took the call from the slot), talk = the client's " +
      "whole conversation 3 s → 40 s = 37 s (the wait in the slot is hold), card shown to 101 and 102, recording attached.";
    events.push("UnParkedCall");
  } else if (end === "timeout") {
    p.at(40000);
    p.event("ParkedCallTimeOut", p.block(client, "Parkee"), parkFields(30));
    leavePark(p, client);
    // comebacktoorigin: the client dials the parker again from context park-dial.
    client.context = "park-dial";
    client.exten = "PJSIP_101";
    const back = phone(p, "101", "1796000100.3", A, CLIENT);
    p.dialBegin(client, back, "PJSIP/101").newstate(back, 5);
    p.at(43000).newstate(back, 6).dialEnd(client, back, "ANSWER");
    bridgeWith(p, "bridge-3", back, client);
    p.at(55000);
    hangUpBridged(p, "bridge-3", client, back);
    name = "synthetic_park_timeout_back_to_101";
    story =
      "101 answers (3 s), talks 7 s, parks the client in slot 701 (30 s timeout). Nobody retrieves it: at 40 s " +
      "ParkedCallTimeOut, the client is dialled back to the parker 101 (park-dial), who answers at 43 s and talks 12 s.\n\n" +
      "Expected CRM outcome: answered, responsible 101 (user 1), talk 7 + 30 (parked, on hold) + 12 = 49 s, recording attached.";
    events.push("ParkedCallTimeOut");
  } else {
    p.at(25000);
    p.event("ParkedCallGiveUp", p.block(client, "Parkee"), parkFields(15));
    leaveBridge(p, parking("bridge-park"), client);
    p.event("BridgeDestroy", parking("bridge-park"));
    p.hangup(client, 16);
    name = "synthetic_park_client_gives_up";
    story =
      "101 answers (3 s), talks 7 s, parks the client in slot 701; the client hangs up in the slot after 15 s (ParkedCallGiveUp).\n\n" +
      "Expected CRM outcome: answered, responsible 101 (user 1, the last who talked), talk 3 s → 25 s = 22 s (the wait in the slot is hold), recording attached.";
    events.push("ParkedCallGiveUp");
  }
  const outcome =
    end === "retrieved"
      ? { responsible: 2, talk: 37, shownTo: [1, 2] }
      : end === "timeout"
        ? { responsible: 1, talk: 49, shownTo: [1] }
        : { responsible: 1, talk: 22, shownTo: [1] };
  return { name, title: `Call parking: ${end}`, story, events, messages: p.messages, contactOwner: 1, expect: expectCall({ ...outcome, status: "answered", record: true }) };
}

export type ParkAst22Variant = "102" | "non-crm-501" | "parker-gone-long-before";

/**
 * Parking in the order a real Asterisk 22 (res_parking) reports it, which differs from the older
 * synthetic flow above: `BlindTransfer` and `ParkedCall` come together (here BlindTransfer first)
 * while the parker's leg stays alone in the first bridge for seconds before its `Hangup`; at
 * retrieval (`parked_call_app_exec`) the retriever's channel is created with its OWN Linkedid and
 * answered, the parkee is moved into a new basic bridge and the retriever joins it — both
 * `BridgeEnter` (the retriever's already carrying the parkee's Linkedid) come BEFORE
 * `UnParkedCall`, whose `Retriever…` block is the snapshot taken before the join (own Linkedid).
 */
export function parkAsterisk22Flow(variant: ParkAst22Variant): SyntheticFlow {
  const p = new SyntheticPbx();
  loginResponse(p);
  const A = variant === "102" ? "1796000300.0" : variant === "non-crm-501" ? "1796000400.0" : "1796000500.0";
  const epoch = A.split(".")[0]!;
  p.at(400);
  const client = inbound(p, A, true);
  client.exten = "101";
  const p101 = phone(p, "101", `${epoch}.1`, A, CLIENT);
  ringAndAnswer(p, client, p101, 3000, "bridge-1");
  const lateRetrieval = variant === "parker-gone-long-before";
  const parkFields = (duration: number) => ({
    ParkerDialString: "PJSIP/101",
    Parkinglot: "default",
    ParkingSpace: "701",
    ParkingTimeout: lateRetrieval ? "300" : "45",
    ParkingDuration: String(duration),
  });
  // 101 blind-transfers the client to 700: BlindTransfer and ParkedCall at the same instant.
  p.at(10000);
  p.event("BlindTransfer", { Result: "Success" }, p.block(p101, "Transferer"), p.block(client, "Transferee"), {
    ...basic("bridge-1"),
    BridgeNumChannels: "2",
    IsExternal: "No",
    Context: "from-internal",
    Extension: "700",
  });
  leaveBridge(p, basic("bridge-1"), client);
  p.event("BridgeCreate", parking("bridge-park"));
  enterBridge(p, parking("bridge-park"), client);
  p.event("ParkedCall", p.block(client, "Parkee"), p.block(p101, "Parker"), parkFields(0));
  p.event("MusicOnHoldStart", p.block(client), { Class: "default" });
  // The parker's leg lingers alone in bridge-1 (announcement of the slot) before it hangs up.
  p.at(14000);
  leaveBridge(p, basic("bridge-1"), p101);
  p.event("BridgeDestroy", basic("bridge-1"));
  p.hangup(p101, 16);
  const retrieveAt = lateRetrieval ? 75000 : 20000;
  const endAt = lateRetrieval ? 95000 : 40000;
  const ext = variant === "non-crm-501" ? "501" : "102";
  p.at(retrieveAt);
  const R = `${Number(epoch) + retrieveAt / 1000}.2`;
  const retriever = p.newchannel(`PJSIP/${ext}-00000002`, R, R, { state: 4, cid: ext, cidName: PHONES[ext] ?? `Support ${ext}`, exten: "701" });
  p.event("Newexten", p.block(retriever), { Extension: "701", Application: "ParkedCall", AppData: "default,701" });
  p.newstate(retriever, 6);
  const before = { ...retriever }; // the Retriever… snapshot of UnParkedCall is taken here
  p.event("MusicOnHoldStop", p.block(client));
  leaveBridge(p, parking("bridge-park"), client);
  p.event("BridgeCreate", basic("bridge-2"));
  enterBridge(p, basic("bridge-2"), client);
  retriever.linkedid = A; // joining the bridge gives the retriever the oldest linkedid
  retriever.connected = CLIENT;
  enterBridge(p, basic("bridge-2"), retriever);
  p.at(retrieveAt + 20); // through another stasis topic: a few ms after the bridge events
  p.event("UnParkedCall", p.block(client, "Parkee"), parkFields((retrieveAt - 10000) / 1000), p.block(before, "Retriever"));
  p.event("BridgeDestroy", parking("bridge-park"));
  p.at(endAt);
  hangUpBridged(p, "bridge-2", client, retriever);
  const talk = (endAt - 3000) / 1000;
  const whole = `3 s → ${endAt / 1000} s = ${talk} s`;
  const stories: Record<ParkAst22Variant, [string, string]> = {
    "102": [
      "synthetic_park_ast22_102_retrieves",
      `Asterisk 22 order. 101 answers (3 s), talks 7 s, parks the client (blind transfer to 700, slot 701); 101's leg stays in the first bridge 4 s more, then hangs up. At 20 s 102 dials 701 and talks 20 s; the client hangs up.\n\nExpected CRM outcome: answered, responsible 102 (user 2), talk = the client's whole conversation ${whole} (the slot is hold), card shown to 101 and 102, recording attached.`,
    ],
    "non-crm-501": [
      "synthetic_park_ast22_501_retrieves",
      `Asterisk 22 order. 101 answers (3 s), talks 7 s, parks the client in slot 701; at 20 s 501 (a support phone that is not a Bitrix24 user) dials 701 and talks 20 s.\n\nExpected CRM outcome: answered, responsible 101 (user 1: the last CRM manager who talked; 501 is nobody in Bitrix24), talk ${whole} (the connector's defaults count 501's talk; with 501 in tracker.nonCrmExtensions it would end at the retrieval), card shown to 101 only, recording attached.`,
    ],
    "parker-gone-long-before": [
      "synthetic_park_ast22_retrieved_after_parker_left",
      `Asterisk 22 order. 101 answers (3 s), talks 7 s, parks the client in slot 701 (timeout 300 s) and hangs up at 14 s. A minute later (75 s) 102 dials 701 and talks 20 s.\n\nExpected CRM outcome: answered, responsible 102 (user 2), talk = the client's whole conversation ${whole} (the slot is hold), card shown to 101 and 102, recording attached.`,
    ],
  };
  const [name, story] = stories[variant];
  return {
    name,
    title: `Call parking as Asterisk 22 reports it: ${variant === "102" ? "102 retrieves" : variant === "non-crm-501" ? "retrieved by 501 (not in the CRM)" : "retrieved a minute after the parker hung up"}`,
    story,
    events: [
      "Newchannel",
      "DialBegin",
      "DialEnd",
      "Newstate",
      "Newexten",
      "BlindTransfer",
      "BridgeCreate",
      "BridgeEnter",
      "BridgeLeave",
      "BridgeDestroy",
      "ParkedCall",
      "UnParkedCall",
      "MusicOnHoldStart",
      "MusicOnHoldStop",
      "Hangup",
      "VarSet",
    ],
    messages: p.messages,
    contactOwner: 1,
    expect: expectCall({ responsible: ext === "102" ? 2 : 1, status: "answered", talk, shownTo: ext === "102" ? [1, 2] : [1], record: true }),
  };
}

/** IVR, the caller dials 101, 101 does not answer (20 s), the caller leaves a voicemail for 101. No MixMonitor. */
export function voicemailFlow(): SyntheticFlow {
  const p = new SyntheticPbx();
  loginResponse(p);
  const A = "1796000200.0";
  p.at(400);
  const client = inbound(p, A, false);
  client.context = "ivr-1";
  client.exten = "s";
  p.newstate(client, 6);
  p.event("Newexten", p.block(client), { Extension: "s", Application: "Background", AppData: "custom/ivr-main" });
  p.at(4000);
  client.context = "from-did-direct";
  client.exten = "101";
  p.event("Newexten", p.block(client), { Extension: "101", Application: "Dial", AppData: "PJSIP/101,20" });
  const p101 = phone(p, "101", "1796000200.1", A, CLIENT);
  p.dialBegin(client, p101, "101").newstate(p101, 5);
  p.at(24000).dialEnd(client, p101, "NOANSWER");
  p.hangup(p101, 19, "No answer");
  client.context = "ext-local";
  client.exten = "vmu101";
  p.event("Newexten", p.block(client), { Extension: "vmu101", Application: "VoiceMail", AppData: "101@default,u" });
  p.at(36000);
  p.varSet(client, "VM_MESSAGEFILE", "/var/spool/asterisk/voicemail/default/101/INBOX/msg0000");
  p.varSet(client, "VMSTATUS", "SUCCESS");
  p.raw({ Event: "MessageWaiting", Privilege: "call,all", Mailbox: "101@default", Waiting: "1", New: "1", Old: "0" });
  p.hangup(client, 16);
  return {
    name: "synthetic_ivr_101_no_answer_voicemail",
    title: "IVR → 101 does not answer → voicemail for 101",
    story:
      "External 79161234567 calls the DID; the IVR answers; the caller dials 101, who rings 20 s without answering; " +
      "the caller leaves a 12 s voicemail for 101 (VoiceMail(101@default,u); VM_MESSAGEFILE = " +
      "/var/spool/asterisk/voicemail/default/101/INBOX/msg0000, saved as .wav) and hangs up. The call is not recorded " +
      "(no MixMonitor). The client's CRM contact belongs to user 3.\n\n" +
      "Expected CRM outcome: missed (304), responsible 101 (user 1: the CRM manager who rang, not the contact's owner), " +
      "card shown to 101 while ringing, the voicemail attached as the call's record.",
    events: ["Newchannel", "Newstate", "Newexten", "DialBegin", "DialEnd", "Hangup", "VarSet (VM_MESSAGEFILE, VMSTATUS)", "MessageWaiting"],
    messages: p.messages,
    contactOwner: 3,
    expect: expectCall({ responsible: 1, status: "missed", talk: 0, shownTo: [1], record: true }),
  };
}

export function syntheticFlows(): SyntheticFlow[] {
  return [
    pickupFlow(),
    parkFlow("retrieved"),
    parkFlow("timeout"),
    parkFlow("giveup"),
    parkAsterisk22Flow("102"),
    parkAsterisk22Flow("non-crm-501"),
    parkAsterisk22Flow("parker-gone-long-before"),
    voicemailFlow(),
  ];
}
