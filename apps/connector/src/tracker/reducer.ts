/**
 * track(state, message, now, config) → { state, events, touched, diagnostics }
 *
 * The functional core of call tracking: no I/O, no clock (time is `now`), no randomness; the
 * output depends only on the inputs. For speed the state is updated in place and returned (the
 * tracker owns it; `structuredClone` it first if you need the previous version). `touched` names
 * the calls whose record changed, so the caller persists only those (a touched key that is no
 * longer in `state.calls` was closed: delete it).
 *
 * Input: AMI events as received, and optionally the connector's own `Action: Originate`
 * messages (they let a failed click-to-call be matched by ActionID and CRM variable).
 * Anything unknown or malformed is ignored; the reducer never throws.
 */
import type { AmiMessage } from "@asterisk-b24/ami";
import { compileConfig, normalizeVariable, type TrackerConfig } from "./config.js";
import { channelFrom, Ctx, endConversation, enterBridge, evaluate, hangupChannel, leaveBridge, mergeCalls, openConversation, roleForDialed } from "./context.js";
import type { ChannelRecord, TrackerState } from "./model.js";
import { handleOriginateAction, handleOriginateResponse } from "./originate.js";
import { openPark, parked, parkEnded, pickup, retrievedInBridge, unparked } from "./park-pickup.js";
import { applyVariable } from "./variables.js";
import { queueCaller } from "./queue-visit.js";
import { employeeExt } from "./snapshot.js";
import type { TrackResult } from "./stage-event.js";

const NO_EVENTS: never[] = [];

/** Events the tracker reads; everything else returns at once. */
const HANDLED = new Set([
  "Newchannel",
  "Newstate",
  "NewCallerid",
  "Rename",
  "DialBegin",
  "DialEnd",
  "AgentCalled",
  "AgentRingNoAnswer",
  "AgentConnect",
  "BridgeEnter",
  "BridgeLeave",
  "BridgeMerge",
  "LocalBridge",
  "Hangup",
  "VarSet",
  "BlindTransfer",
  "AttendedTransfer",
  "Hold",
  "Unhold",
  "ParkedCall",
  "UnParkedCall",
  "ParkedCallGiveUp",
  "ParkedCallTimeOut",
  "OriginateResponse",
  "Pickup",
  "QueueCallerJoin",
  "QueueCallerAbandon",
  "QueueCallerLeave",
]);

export function track(state: TrackerState, message: AmiMessage, now: number, config: Partial<TrackerConfig> = {}): TrackResult<TrackerState> {
  let name = message.event;
  if (name === undefined) {
    if (message.get("Action")?.toLowerCase() !== "originate") return { state, events: NO_EVENTS, touched: NO_EVENTS, diagnostics: NO_EVENTS };
    name = "Action:Originate";
  } else if (!HANDLED.has(name)) {
    return { state, events: NO_EVENTS, touched: NO_EVENTS, diagnostics: NO_EVENTS };
  }
  const ctx = new Ctx(state, compileConfig(config), now, name);
  try {
    dispatch(ctx, name, message);
  } catch (err) {
    ctx.diag("internal_error", err instanceof Error ? err.message : String(err));
  }
  return { state, events: ctx.events, touched: ctx.touched, diagnostics: ctx.diagnostics };
}

function dispatch(ctx: Ctx, name: string, msg: AmiMessage): void {
  switch (name) {
    case "Newchannel": {
      channelFrom(ctx, msg, "", true);
      return;
    }
    case "Newstate": {
      const ch = channelFrom(ctx, msg, "", true);
      if (!ch) return;
      const call = ctx.callOf(ch);
      if (ch.kind === "employee" && ch.state === 5 && !call.conversations[ch.id] && ch.origin !== "incoming") openConversation(ctx, call, ch, roleForDialed(call, ch));
      if (ch.state === 6) evaluate(ctx, call);
      return;
    }
    case "NewCallerid": {
      const ch = channelFrom(ctx, msg, "", true);
      if (!ch) return;
      const n = msg.get("CallerIDNum");
      if (n && (ch.cidNum === "" || ch.cidNum === "<unknown>")) ch.cidNum = n;
      const nm = msg.get("CallerIDName");
      if (nm && (ch.cidName === "" || ch.cidName === "<unknown>")) ch.cidName = nm;
      return;
    }
    case "Rename": {
      const ch = channelFrom(ctx, msg, "", false);
      const newName = msg.get("Newname");
      if (ch && newName) ch.name = newName;
      return;
    }
    case "DialBegin":
      return dialBegin(ctx, msg);
    case "DialEnd":
      return dialEnd(ctx, msg);
    case "AgentCalled": {
      const dest = channelFrom(ctx, msg, "Dest", true);
      if (!dest) return;
      dest.queue = msg.get("Queue") ?? dest.queue;
      if (!dest.via) dest.via = msg.get("Exten") ?? "";
      return;
    }
    case "AgentRingNoAnswer": {
      const dest = channelFrom(ctx, msg, "Dest", false);
      if (!dest) return;
      if (!dest.dialStatus) dest.dialStatus = "NOANSWER";
      const call = ctx.callOf(dest);
      const conv = call.conversations[dest.id];
      if (conv && !conv.acceptedAt) endConversation(ctx, call, conv, "no_answer");
      return;
    }
    case "AgentConnect": {
      const dest = channelFrom(ctx, msg, "Dest", false);
      if (dest) evaluate(ctx, ctx.callOf(dest));
      return;
    }
    case "BridgeEnter": {
      const ch = channelFrom(ctx, msg, "", true);
      const bridge = msg.get("BridgeUniqueid");
      if (!ch || !bridge || ch.endedAt) return;
      const tech = msg.get("BridgeTechnology");
      const type = msg.get("BridgeType");
      const holding = tech === "holding_bridge" || type === "parking" || type === "holding";
      enterBridge(ctx, ch, bridge, holding);
      if (!holding) retrievedInBridge(ctx, bridge);
      evaluate(ctx, ctx.callOf(ch));
      return;
    }
    case "BridgeLeave": {
      const ch = channelFrom(ctx, msg, "", false);
      if (ch && ch.bridge === msg.get("BridgeUniqueid")) leaveBridge(ctx, ch);
      return;
    }
    case "BridgeMerge": {
      const from = msg.get("FromBridgeUniqueid");
      const to = msg.get("ToBridgeUniqueid");
      if (!from || !to || from === to) return;
      const members = (ctx.state.bridgeIndex[from] ?? []).slice();
      for (const id of members) {
        const ch = ctx.channelById(id);
        if (ch && !ch.endedAt) enterBridge(ctx, ch, to, false);
      }
      for (const id of ctx.state.bridgeIndex[to] ?? []) {
        const ch = ctx.channelById(id);
        if (ch) evaluate(ctx, ctx.callOf(ch));
      }
      return;
    }
    case "LocalBridge": {
      const one = channelFrom(ctx, msg, "LocalOne", true);
      const two = channelFrom(ctx, msg, "LocalTwo", true);
      if (one && two && ctx.callOf(one) === ctx.callOf(two)) {
        one.pair = two.id;
        two.pair = one.id;
      }
      return;
    }
    case "Hangup": {
      const ch = channelFrom(ctx, msg, "", false);
      if (!ch) {
        if (msg.get("Uniqueid")) ctx.diag("unknown_channel", msg.get("Channel") ?? "");
        return;
      }
      const cause = Number(msg.get("Cause"));
      hangupChannel(ctx, ch, Number.isFinite(cause) ? cause : -1);
      return;
    }
    case "VarSet":
      return varSet(ctx, msg);
    case "BlindTransfer":
      return blindTransfer(ctx, msg);
    case "AttendedTransfer":
      return attendedTransfer(ctx, msg);
    case "Hold":
    case "Unhold": {
      const ch = channelFrom(ctx, msg, "", false);
      if (ch) ch.held = name === "Hold";
      return;
    }
    case "ParkedCall":
      return parked(ctx, msg);
    case "UnParkedCall":
      return unparked(ctx, msg);
    case "ParkedCallGiveUp":
    case "ParkedCallTimeOut":
      return parkEnded(ctx, msg, name === "ParkedCallGiveUp" ? "giveup" : "timeout");
    case "Pickup":
      return pickup(ctx, msg);
    case "QueueCallerJoin":
    case "QueueCallerAbandon":
    case "QueueCallerLeave":
      return queueCaller(ctx, msg, name);
    case "OriginateResponse":
      return handleOriginateResponse(ctx, msg);
    case "Action:Originate":
      return handleOriginateAction(ctx, msg);
  }
}

function dialBegin(ctx: Ctx, msg: AmiMessage): void {
  if (!msg.get("DestUniqueid") || !msg.get("DestChannel")) {
    ctx.diag("missing_field", "DestUniqueid");
    return;
  }
  const caller = channelFrom(ctx, msg, "", true);
  const dest = channelFrom(ctx, msg, "Dest", true);
  if (!dest) return;
  if (!dest.dialString) dest.dialString = msg.get("DialString") ?? "";
  if (!dest.dialedBy) dest.dialedBy = caller ? caller.id : "originate";
  if (!caller && dest.origin === "dialed") dest.origin = "originated";
  if (caller) {
    if (caller.kind === "local") {
      const pair = ctx.channelById(caller.pair);
      dest.queue ||= caller.queue || pair?.queue || "";
      dest.via ||= caller.via || pair?.via || "";
    } else if (!dest.via) {
      dest.via = msg.get("Exten") ?? "";
    }
  }
  let call = ctx.callOf(dest);
  // The caller's conversation: an employee whose phone started this call dials someone.
  if (caller && caller.kind === "employee" && caller.origin !== "dialed" && !caller.endedAt) {
    const cc = ctx.callOf(caller);
    if (!cc.conversations[caller.id]) openConversation(ctx, cc, caller, "caller");
  }
  call = ctx.callOf(dest);
  if (dest.kind === "employee" && !call.conversations[dest.id]) openConversation(ctx, call, dest, roleForDialed(call, dest));
}

function dialEnd(ctx: Ctx, msg: AmiMessage): void {
  channelFrom(ctx, msg, "", false);
  const dest = channelFrom(ctx, msg, "Dest", false);
  if (!dest) return;
  const status = msg.get("DialStatus") ?? "";
  // app_queue repeats DialEnd (NOANSWER, then CANCEL while cleaning up): the first one is the truth.
  if (!dest.dialStatus) dest.dialStatus = status;
  const call = ctx.callOf(dest);
  if (status === "ANSWER") {
    if (!dest.answeredAt && !dest.endedAt) dest.answeredAt = ctx.now;
    evaluate(ctx, call);
    return;
  }
  const conv = call.conversations[dest.id];
  if (conv && !conv.acceptedAt && !conv.endedAt && conv.role === "callee") endConversation(ctx, call, conv);
}

function varSet(ctx: Ctx, msg: AmiMessage): void {
  const variable = msg.get("Variable");
  if (!variable) return;
  const norm = normalizeVariable(variable);
  if (!ctx.cfg.vars.has(norm)) return;
  const value = msg.get("Value");
  if (!value) return;
  const ch = channelFrom(ctx, msg, "", false);
  if (!ch) return;
  applyVariable(ctx, ch, norm, value);
}

function extOf(ctx: Ctx, ch: ChannelRecord | undefined, fallback: string): string {
  if (!ch) return fallback;
  return ch.kind === "employee" ? employeeExt(ch, ctx.cfg) : fallback || ch.name;
}

function blindTransfer(ctx: Ctx, msg: AmiMessage): void {
  if (msg.get("Result") !== "Success") return;
  const transferer = channelFrom(ctx, msg, "Transferer", false);
  const transferee = channelFrom(ctx, msg, "Transferee", false);
  const anchor = transferee ?? transferer;
  if (!anchor) return;
  const call = ctx.callOf(anchor);
  const from = extOf(ctx, transferer, msg.get("TransfererCallerIDNum") ?? "");
  call.transfers.push({ kind: "blind", at: ctx.now, from, to: msg.get("Extension") ?? "" });
  // A transfer to a parking lot whose ParkedCall came first: the park record already tells who parked.
  if (!transferee || !openPark(call, transferee.id)) call.pendingTransferFrom = from;
  if (transferer) {
    const conv = ctx.callOf(transferer).conversations[transferer.id];
    if (conv && !conv.endedAt && conv.acceptedAt) conv.endReason = "transferred";
  }
  ctx.touch(call);
}

function attendedTransfer(ctx: Ctx, msg: AmiMessage): void {
  if (msg.get("Result") !== "Success") return;
  const orig = channelFrom(ctx, msg, "OrigTransferer", false);
  const second = channelFrom(ctx, msg, "SecondTransferer", false);
  const transferee = channelFrom(ctx, msg, "Transferee", false);
  const target = channelFrom(ctx, msg, "TransferTarget", false);
  const a = transferee ?? orig;
  const b = target ?? second;
  if (!a) return;
  let call = ctx.callOf(a);
  if (b) {
    const other = ctx.callOf(b);
    // The call with the transferee (the client) lives on; the consultation call joins it.
    if (other !== call) mergeCalls(ctx, other, call, [orig?.id ?? "", second?.id ?? ""]);
    call = ctx.callOf(a);
  }
  const from = extOf(ctx, orig, msg.get("OrigTransfererCallerIDNum") ?? "");
  const to = extOf(ctx, target, msg.get("TransferTargetCallerIDNum") ?? "");
  call.transfers.push({ kind: "attended", at: ctx.now, from, to });
  for (const t of [orig, second]) {
    if (!t) continue;
    const conv = ctx.callOf(t).conversations[t.id];
    if (conv && !conv.endedAt && conv.acceptedAt) conv.endReason = "transferred";
  }
  if (target) {
    const conv = ctx.callOf(target).conversations[target.id];
    if (conv && !conv.transferredFrom) conv.transferredFrom = from;
  }
  ctx.touch(call);
  evaluate(ctx, call);
}
