/**
 * HAND-WRITTEN fixtures (synthetic, NOT captured from a PBX) for flows the recordings lack.
 * Each follows the event order of the AMI v2 spec / Asterisk testsuite and the field sets of
 * the Asterisk 22 recordings; trunk `provider`, DID 74951234567, client 79161234567 as there.
 */
import type { TimedMessage } from "@asterisk-b24/testkit";
import { SyntheticPbx, type Chan } from "./synthetic-pbx.js";

const TRUNK_IN = { state: 4, cid: "79161234567", context: "from-trunk", exten: "74951234567" };

function inboundLeg(p: SyntheticPbx, uid: string): Chan {
  const caller = p.newchannel("PJSIP/provider-00000010", uid, uid, TRUNK_IN);
  p.varSet(caller, "__FROM_DID", "74951234567");
  p.varSet(caller, "MIXMONITOR_FILENAME", `/var/spool/asterisk/monitor/2026/11/22/in-74951234567-79161234567-${uid}.wav`);
  return caller;
}

function ringAndAnswer(p: SyntheticPbx, caller: Chan, phone: Chan, ringMs: number, bridge: string): void {
  p.dialBegin(caller, phone, phone.name.split("-")[0]!.slice(6)).newstate(phone, 5);
  p.at(p.t + ringMs)
    .newstate(phone, 6)
    .dialEnd(caller, phone, "ANSWER")
    .newstate(caller, 6);
  p.event("BridgeCreate", { BridgeUniqueid: bridge, BridgeType: "basic", BridgeTechnology: "simple_bridge" });
  p.bridgeEnter(bridge, phone).bridgeEnter(bridge, caller);
}

/**
 * SIP (REFER with Replaces) attended transfer: client ↔ 101 (linkedid A), 101 puts the client on
 * hold and calls 102 from a second line (linkedid B, an independent internal call), then
 * transfers. Per the CDR spec the two calls "cannot be correlated by linkedid"; only the
 * AttendedTransfer event ties them. Order as in testsuite tests/apps/queues/transfer/caller_attended
 * (AttendedTransfer, then BridgeLeave ×2, Hangup ×2). `linkedidFirst` instead moves 102 into the
 * client's bridge (with the client's, older, linkedid) BEFORE the AttendedTransfer event — the
 * AMI v2 spec leaves that order undefined.
 */
export function attendedTransfer(linkedidFirst = false): TimedMessage[] {
  const p = new SyntheticPbx();
  const A = "1800000000.10";
  const B = "1800000008.12";
  p.at(400);
  const client = inboundLeg(p, A);
  const a101 = p.newchannel("PJSIP/101-00000011", "1800000000.11", A);
  ringAndAnswer(p, client, a101, 3000, "bridge-A");
  p.at(8000).event("Hold", p.block(a101));
  p.event("MusicOnHoldStart", p.block(client), { Class: "default" });
  p.at(8500);
  const b101 = p.newchannel("PJSIP/101-00000012", B, B, { state: 4, cid: "101", cidName: "Ivan Petrov", exten: "102" });
  const b102 = p.newchannel("PJSIP/102-00000013", "1800000008.13", B);
  ringAndAnswer(p, b101, b102, 2500, "bridge-B");
  p.at(16000);
  const transfer = () =>
    p.event(
      "AttendedTransfer",
      { Result: "Success" },
      p.block(a101, "OrigTransferer"),
      { OrigBridgeUniqueid: "bridge-A", OrigBridgeType: "basic", OrigBridgeNumChannels: "2" },
      p.block(b101, "SecondTransferer"),
      { SecondBridgeUniqueid: "bridge-B", SecondBridgeType: "basic", SecondBridgeNumChannels: "2" },
      p.block(client, "Transferee"),
      p.block(b102, "TransferTarget"),
      { IsExternal: "Yes", DestType: "Bridge", DestBridgeUniqueid: "bridge-A" },
    );
  if (!linkedidFirst) transfer();
  p.bridgeLeave("bridge-B", b102);
  b102.linkedid = A; // oldest linkedid wins when 102 joins the client's bridge
  p.bridgeEnter("bridge-A", b102, { SwapUniqueid: a101.uid });
  if (linkedidFirst) transfer();
  p.event("MusicOnHoldStop", p.block(client));
  p.bridgeLeave("bridge-A", a101).bridgeLeave("bridge-B", b101);
  p.hangup(a101, 16).hangup(b101, 16);
  p.event("BridgeDestroy", { BridgeUniqueid: "bridge-B" });
  p.at(30000).bridgeLeave("bridge-A", b102).bridgeLeave("bridge-A", client);
  p.hangup(b102, 16).hangup(client, 16);
  return p.messages;
}

interface Member {
  one: Chan;
  two: Chan;
  phone: Chan;
}

/**
 * FreePBX queue with Local/<ext>@from-queue/n members (ringall). The queue answers the client,
 * AgentCalled/DialBegin go to Local ;1, the ;2 half dials PJSIP/<ext>. `answerer` answers,
 * the others are cancelled (cause 26). With `optimize`, the member is Local/<ext>@from-queue
 * (no /n) and after the connect the Local pair optimizes itself away (LocalOptimizationBegin,
 * the phone swaps into the client's bridge, LocalOptimizationEnd, the pair hangs up), as in the
 * AMI v2 spec "Local channel optimization" sequence.
 */
export function localMemberQueue(opts: { queue: string; number: string; exts: string[]; answerer: string; optimize: boolean }): TimedMessage[] {
  const p = new SyntheticPbx();
  const L = "1800000100.20";
  p.at(400);
  const client = inboundLeg(p, L);
  client.context = "ext-queues";
  client.exten = opts.number;
  p.newstate(client, 6);
  p.at(900).event("QueueCallerJoin", p.block(client), { Queue: opts.queue, Position: "1", Count: "1" });
  p.event("MusicOnHoldStart", p.block(client), { Class: "default" });
  const members = new Map<string, Member>();
  let seq = 21;
  const suffix = opts.optimize ? "" : "/n";
  for (const ext of opts.exts) {
    const base = `Local/${ext}@from-queue-0000000${seq.toString(16)}`;
    const one = p.newchannel(`${base};1`, `1800000100.${seq++}`, L, { context: "from-queue", exten: ext });
    const two = p.newchannel(`${base};2`, `1800000100.${seq++}`, L, { state: 4, context: "from-queue", exten: ext });
    p.event("AgentCalled", p.block(client), p.block(one, "Dest"), { Queue: opts.queue, Interface: `Local/${ext}@from-queue${suffix}`, MemberName: `Agent ${ext}` });
    p.dialBegin(client, one, `${ext}@from-queue${suffix}`);
    const phone = p.newchannel(`PJSIP/${ext}-000000${seq.toString(16).padStart(2, "0")}`, `1800000100.${seq++}`, L, { cid: ext });
    p.dialBegin(two, phone, ext).newstate(phone, 5).newstate(one, 5);
    members.set(ext, { one, two, phone });
  }
  const win = members.get(opts.answerer)!;
  p.at(6000).newstate(win.phone, 6).dialEnd(win.two, win.phone, "ANSWER").newstate(win.two, 6);
  p.event("BridgeCreate", { BridgeUniqueid: "bridge-member" });
  p.bridgeEnter("bridge-member", win.phone).bridgeEnter("bridge-member", win.two);
  p.newstate(win.one, 6).dialEnd(client, win.one, "ANSWER");
  for (const [ext, m] of members) {
    if (ext === opts.answerer) continue;
    p.dialEnd(client, m.one, "CANCEL").dialEnd(m.two, m.phone, "CANCEL");
    p.hangup(m.phone, 26, "Answered elsewhere").hangup(m.two, 26, "Answered elsewhere").hangup(m.one, 26, "Answered elsewhere");
  }
  p.event("MusicOnHoldStop", p.block(client));
  p.event("QueueCallerLeave", p.block(client), { Queue: opts.queue, Position: "1", Count: "0" });
  p.event("AgentConnect", p.block(client), p.block(win.one, "Dest"), { Queue: opts.queue, Interface: `Local/${opts.answerer}@from-queue${suffix}`, HoldTime: "6", RingTime: "5" });
  p.event("BridgeCreate", { BridgeUniqueid: "bridge-queue" });
  p.bridgeEnter("bridge-queue", win.one).bridgeEnter("bridge-queue", client);
  if (opts.optimize) {
    p.at(6100).event("LocalOptimizationBegin", p.block(win.one, "LocalOne"), p.block(win.two, "LocalTwo"), p.block(win.phone, "Source"), { DestUniqueId: client.uid, Id: "1" });
    p.bridgeLeave("bridge-member", win.phone);
    p.bridgeEnter("bridge-queue", win.phone, { SwapUniqueid: win.one.uid });
    p.bridgeLeave("bridge-queue", win.one).bridgeLeave("bridge-member", win.two);
    p.event("LocalOptimizationEnd", p.block(win.one, "LocalOne"), p.block(win.two, "LocalTwo"), { Success: "Yes", Id: "1" });
    p.event("BridgeDestroy", { BridgeUniqueid: "bridge-member" });
    p.hangup(win.one, 16).hangup(win.two, 16);
    p.at(26000).bridgeLeave("bridge-queue", win.phone).hangup(win.phone, 16);
    p.event("AgentComplete", p.block(client), { Queue: opts.queue, Reason: "agent", TalkTime: "20", HoldTime: "6" });
    p.bridgeLeave("bridge-queue", client).hangup(client, 16);
  } else {
    p.at(26000).bridgeLeave("bridge-member", win.phone).hangup(win.phone, 16);
    p.bridgeLeave("bridge-member", win.two).hangup(win.two, 16);
    p.bridgeLeave("bridge-queue", win.one).hangup(win.one, 16);
    p.event("AgentComplete", p.block(client), { Queue: opts.queue, Reason: "agent", TalkTime: "20", HoldTime: "6" });
    p.bridgeLeave("bridge-queue", client).hangup(client, 16);
  }
  return p.messages;
}

/** Inbound call answered by the IVR (Answer, Background, WaitExten); the caller hangs up without choosing. */
export function ivrMissed(): TimedMessage[] {
  const p = new SyntheticPbx();
  const L = "1800000200.30";
  p.at(400);
  const client = inboundLeg(p, L);
  client.context = "ivr-1";
  client.exten = "s";
  p.newstate(client, 6);
  p.event("Newexten", p.block(client), { Extension: "s", Application: "Background", AppData: "custom/ivr-main" });
  p.at(5400).event("Newexten", p.block(client), { Extension: "s", Application: "WaitExten", AppData: "5" });
  p.at(12400).event("SoftHangupRequest", p.block(client), { Cause: "16" }).hangup(client, 16);
  return p.messages;
}
