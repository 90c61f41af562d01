/**
 * The operations the reducer, reconcile and expire share: find/create channels, open and end
 * conversations, decide when a conversation is accepted, merge and close calls. Everything
 * goes through a Ctx that collects the stage events of one input.
 */
import type { AmiMessage } from "@asterisk-b24/ami";
import { classifyChannel, parseChannelName } from "./classify.js";
import type { CompiledConfig } from "./config.js";
import type { CallRecord, ChannelOrigin, ChannelRecord, ConversationRecord, ConversationRole, TrackerState } from "./model.js";
import { keyedRecord } from "./keyed-record.js";
import { anotherEmployeeAnswered } from "./outcome.js";
import { employeeExt, rootOf, toCallFull } from "./snapshot.js";
import type { Stage, StageEvent, TrackerDiagnostic } from "./stage-event.js";

export class Ctx {
  readonly events: StageEvent[] = [];
  readonly touched: string[] = [];
  readonly diagnostics: TrackerDiagnostic[] = [];
  constructor(
    readonly state: TrackerState,
    readonly cfg: CompiledConfig,
    readonly now: number,
    readonly eventName: string,
  ) {}

  touch(call: CallRecord): void {
    call.lastEventAt = this.now;
    const t = this.touched;
    if (t.length === 0 || (t[t.length - 1] !== call.key && !t.includes(call.key))) t.push(call.key);
  }

  diag(kind: TrackerDiagnostic["kind"], detail: string): void {
    this.diagnostics.push({ kind, event: this.eventName, detail });
  }

  emit(call: CallRecord, stage: Stage, conversationId?: string): void {
    const snapshot = toCallFull(call, this.cfg, this.now);
    if (stage === "call_ended") this.events.push({ stage, callKey: call.key, at: this.now, call: snapshot });
    else this.events.push({ stage, callKey: call.key, conversationId: conversationId!, at: this.now, call: snapshot });
  }

  callOf(ch: ChannelRecord): CallRecord {
    return this.state.calls[this.state.channelIndex[ch.id]!]!;
  }

  channelById(uid: string | undefined): ChannelRecord | undefined {
    if (!uid) return undefined;
    const key = this.state.channelIndex[uid];
    if (key === undefined) return undefined;
    return this.state.calls[key]?.channels[uid];
  }
}

export function newCall(key: string, now: number): CallRecord {
  return {
    key,
    linkedids: [key],
    createdAt: now,
    lastEventAt: now,
    channels: keyedRecord(),
    order: [],
    live: 0,
    conversations: keyedRecord(),
    convOrder: [],
    record: "",
    records: [],
    did: "",
    clickToCall: null,
    transfers: [],
    mergedFrom: [],
    pendingTransferFrom: "",
    recordRank: Number.MAX_SAFE_INTEGER,
    endedAt: 0,
    endReason: "",
    mergedInto: "",
  };
}

export interface ChannelSeed {
  uid: string;
  linkedid: string;
  name: string;
  state: number;
  context: string;
  exten: string;
  cidNum: string;
  cidName: string;
  origin?: ChannelOrigin;
  createdAt?: number;
}

/** Creates a channel (and its call if the linkedid is new). undefined for ignored technologies. */
export function createChannel(ctx: Ctx, seed: ChannelSeed): ChannelRecord | undefined {
  const st = ctx.state;
  const parsed = parseChannelName(seed.name);
  const kind = classifyChannel(parsed, seed.context, ctx.cfg);
  if (kind === "other") return undefined;
  const lid = seed.linkedid || seed.uid;
  let call = st.calls[st.linkedidIndex[lid] ?? ""];
  if (!call) {
    call = newCall(lid, seed.createdAt ?? ctx.now);
    st.calls[lid] = call;
    st.linkedidIndex[lid] = lid;
  }
  const ch: ChannelRecord = {
    id: seed.uid,
    name: seed.name,
    linkedid: lid,
    kind,
    tech: parsed.tech,
    endpoint: parsed.endpoint,
    origin: seed.origin ?? (seed.state === 4 ? "incoming" : "dialed"),
    context: seed.context,
    exten: seed.exten,
    cidNum: seed.cidNum,
    cidName: seed.cidName,
    state: seed.state,
    createdAt: seed.createdAt ?? ctx.now,
    answeredAt: seed.state === 6 ? ctx.now : 0,
    endedAt: 0,
    cause: -1,
    dialedBy: "",
    dialString: "",
    dialStatus: "",
    bridge: "",
    holding: false,
    pair: "",
    queue: "",
    via: "",
    held: false,
  };
  if (kind === "local" && parsed.localHalf !== 0) {
    const other = parsed.localBase + (parsed.localHalf === 1 ? ";2" : ";1");
    for (let i = call.order.length - 1; i >= 0; i--) {
      const c = call.channels[call.order[i]!]!;
      if (c.name === other && c.endedAt === 0 && !c.movedTo) {
        c.pair = ch.id;
        ch.pair = c.id;
        break;
      }
    }
  }
  call.channels[ch.id] = ch;
  call.order.push(ch.id);
  call.live++;
  st.channelIndex[ch.id] = call.key;
  ctx.touch(call);
  return ch;
}

const num = (s: string | undefined): number => {
  if (s === undefined || s === "") return -1;
  const n = Number(s);
  return Number.isFinite(n) ? n : -1;
};

/**
 * The channel an event is about (`prefix` "" for Channel/Uniqueid…, "Dest" for DestChannel…).
 * Keeps its state and linkedid current; creates it when `create` and it is unknown.
 */
export function channelFrom(ctx: Ctx, msg: AmiMessage, prefix: string, create: boolean): ChannelRecord | undefined {
  const uid = msg.get(prefix + "Uniqueid");
  if (!uid || uid === "<unknown>") return undefined;
  const linkedid = msg.get(prefix + "Linkedid") ?? "";
  const state = num(msg.get(prefix + "ChannelState"));
  const existing = ctx.channelById(uid);
  if (existing) {
    if (linkedid && linkedid !== existing.linkedid) linkedidChanged(ctx, existing, linkedid);
    if (state >= 0) setChannelState(ctx, existing, state);
    ctx.touch(ctx.callOf(existing));
    return existing;
  }
  if (!create) return undefined;
  const name = msg.get(prefix + "Channel");
  if (!name) {
    ctx.diag("missing_field", `${prefix}Channel`);
    return undefined;
  }
  return createChannel(ctx, {
    uid,
    linkedid,
    name,
    state: state < 0 ? 0 : state,
    context: msg.get(prefix + "Context") ?? "",
    exten: msg.get(prefix + "Exten") ?? "",
    cidNum: msg.get(prefix + "CallerIDNum") ?? "",
    cidName: msg.get(prefix + "CallerIDName") ?? "",
  });
}

export function setChannelState(ctx: Ctx, ch: ChannelRecord, state: number): void {
  ch.state = state;
  if (state === 6 && ch.answeredAt === 0 && ch.endedAt === 0) ch.answeredAt = ctx.now;
}

/** Asterisk replaced the channel's linkedid (bridged with an older call): the two calls are one. */
function linkedidChanged(ctx: Ctx, ch: ChannelRecord, linkedid: string): void {
  const st = ctx.state;
  ch.linkedid = linkedid;
  const call = ctx.callOf(ch);
  const ownerKey = st.linkedidIndex[linkedid];
  if (ownerKey === undefined) {
    call.linkedids.push(linkedid);
    st.linkedidIndex[linkedid] = call.key;
    return;
  }
  if (ownerKey === call.key) return;
  const owner = st.calls[ownerKey];
  if (owner) mergeCalls(ctx, call, owner);
}

/** "1795257413.12" style ids: older first; other ids by string order. */
export function olderKey(a: string, b: string): string {
  const [ea, sa] = a.split(".");
  const [eb, sb] = b.split(".");
  const na = Number(ea);
  const nb = Number(eb);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na < nb ? a : b;
  const xa = Number(sa);
  const xb = Number(sb);
  if (Number.isFinite(xa) && Number.isFinite(xb) && xa !== xb) return xa < xb ? a : b;
  return a <= b ? a : b;
}

// --- conversations ------------------------------------------------------------------------

export function openConversation(ctx: Ctx, call: CallRecord, ch: ChannelRecord, role: ConversationRole, transferredFrom = ""): ConversationRecord | undefined {
  if (ch.kind !== "employee" || ch.endedAt || call.conversations[ch.id]) return undefined;
  const ext = employeeExt(ch, ctx.cfg);
  let queue = ch.queue;
  let via = ch.via;
  if (!queue || !via) {
    // Inherit through the Local chain that rang this phone (FreePBX Local/…@from-queue members).
    const by = call.channels[ch.dialedBy];
    if (by && by.kind === "local") {
      const pair = call.channels[by.pair];
      queue ||= by.queue || pair?.queue || "";
      via ||= by.via || pair?.via || "";
    }
  }
  const cfg = ctx.cfg;
  const conv: ConversationRecord = {
    id: ch.id,
    ext,
    role,
    requestedAt: ctx.now,
    acceptedAt: 0,
    endedAt: 0,
    endReason: "",
    queue,
    via,
    excluded: cfg.nonCrmExtensions.has(ext) || (queue !== "" && cfg.nonCrmQueues.has(queue)) || (via !== "" && cfg.nonCrmQueues.has(via)),
    transferredFrom: transferredFrom || (role === "callee" ? call.pendingTransferFrom : ""),
  };
  if (conv.transferredFrom && role === "callee") call.pendingTransferFrom = "";
  call.conversations[ch.id] = conv;
  call.convOrder.push(ch.id);
  ctx.touch(call);
  ctx.emit(call, "conversation_requested", ch.id);
  return conv;
}

/** Role of a conversation for a phone that is being rung: caller when a click-to-call rings the manager first. */
export function roleForDialed(call: CallRecord, ch: ChannelRecord): ConversationRole {
  return rootOf(call, ch) === "originate" ? "caller" : "callee";
}

export function notAnsweredReason(call: CallRecord, ch: ChannelRecord): string {
  const ds = ch.dialStatus;
  const cause = ch.cause;
  if (cause === 26) return "answered_elsewhere";
  if (ds === "CANCEL") return anotherEmployeeAnswered(call, ch.id) ? "answered_elsewhere" : "cancelled";
  if (ds === "NOANSWER" || cause === 19 || cause === 18) return "no_answer";
  if (ds === "BUSY" || cause === 17) return "busy";
  if (ds === "CHANUNAVAIL" || ds === "CONGESTION" || cause === 20 || cause === 27 || cause === 34 || cause === 38 || cause === 41 || cause === 42) return "unavailable";
  if (cause === 21) return "rejected";
  return "cancelled";
}

/** Ends a conversation. reason "auto": completed if it was accepted, else why it was not answered. */
export function endConversation(ctx: Ctx, call: CallRecord, conv: ConversationRecord, reason = "auto"): void {
  if (conv.endedAt) return;
  conv.endedAt = ctx.now;
  if (!conv.endReason) {
    if (reason !== "auto") conv.endReason = reason;
    else conv.endReason = conv.acceptedAt ? "completed" : notAnsweredReason(call, call.channels[conv.id]!);
  }
  ctx.touch(call);
  ctx.emit(call, "conversation_ended", conv.id);
}

// --- acceptance: connected through bridges and Local pairs to another party that is up -------

function connected(ctx: Ctx, call: CallRecord, start: ChannelRecord): boolean {
  return connectedAnsweredSince(ctx, call, start) > 0;
}

/**
 * Earliest answer time of the parties `start` is connected to (through bridges and Local pairs),
 * 0 when it is connected to nobody who is up.
 */
export function connectedAnsweredSince(ctx: Ctx, call: CallRecord, start: ChannelRecord): number {
  const bridges = ctx.state.bridgeIndex;
  const seen: string[] = [start.id];
  const stack: ChannelRecord[] = [start];
  let since = 0;
  while (stack.length > 0) {
    const c = stack.pop()!;
    const next: string[] = [];
    if (c.bridge && !c.holding) {
      const members = bridges[c.bridge];
      if (members) for (const m of members) next.push(m);
    }
    if (c.pair) next.push(c.pair);
    for (const id of next) {
      if (seen.includes(id)) continue;
      seen.push(id);
      const p = call.channels[id];
      if (!p || p.endedAt || p.movedTo) continue;
      if (p.kind === "local") stack.push(p);
      else if (p.answeredAt > 0 && (since === 0 || p.answeredAt < since)) since = p.answeredAt;
    }
  }
  return since;
}

/**
 * Accepts every ringing conversation whose phone is up and now connected to someone, at `now`,
 * or at `acceptedAt(channel)` when the caller knows better (a call adopted in progress).
 */
export function evaluate(ctx: Ctx, call: CallRecord, acceptedAt?: (ch: ChannelRecord) => number): void {
  for (const id of call.convOrder) {
    const conv = call.conversations[id]!;
    if (conv.acceptedAt || conv.endedAt) continue;
    const ch = call.channels[id]!;
    if (ch.endedAt || ch.answeredAt === 0) continue;
    if (connected(ctx, call, ch)) {
      conv.acceptedAt = acceptedAt ? acceptedAt(ch) : ctx.now;
      ctx.touch(call);
      ctx.emit(call, "conversation_accepted", id);
    }
  }
}

// --- bridges ----------------------------------------------------------------------------

export function leaveBridge(ctx: Ctx, ch: ChannelRecord): void {
  if (!ch.bridge) return;
  const list = ctx.state.bridgeIndex[ch.bridge];
  if (list) {
    const i = list.indexOf(ch.id);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) delete ctx.state.bridgeIndex[ch.bridge];
  }
  ch.bridge = "";
  ch.holding = false;
}

export function enterBridge(ctx: Ctx, ch: ChannelRecord, bridgeId: string, holding: boolean): void {
  if (ch.bridge !== bridgeId) leaveBridge(ctx, ch);
  ch.bridge = bridgeId;
  ch.holding = holding;
  const list = (ctx.state.bridgeIndex[bridgeId] ??= []);
  if (!list.includes(ch.id)) list.push(ch.id);
  // Channels of two calls in one bridge are one call (Asterisk will give them the older linkedid).
  let call = ctx.callOf(ch);
  for (let i = 0; i < list.length; i++) {
    const otherKey = ctx.state.channelIndex[list[i]!];
    if (otherKey === undefined || otherKey === call.key) continue;
    const other = ctx.state.calls[otherKey]!;
    if (olderKey(other.key, call.key) === other.key) mergeCalls(ctx, call, other);
    else mergeCalls(ctx, other, call);
    call = ctx.callOf(ch);
  }
}

// --- hangup, merge, close ---------------------------------------------------------------

export function hangupChannel(ctx: Ctx, ch: ChannelRecord, cause: number, closeReason = "hangup"): void {
  if (ch.endedAt) return;
  const call = ctx.callOf(ch);
  ch.endedAt = ctx.now;
  if (cause >= 0) ch.cause = cause;
  leaveBridge(ctx, ch);
  const conv = call.conversations[ch.id];
  if (conv && !conv.endedAt) endConversation(ctx, call, conv);
  call.live--;
  ctx.touch(call);
  if (call.live <= 0) closeCall(ctx, call, closeReason);
}

/**
 * `from` becomes part of `into`: its live channels move, their conversations end in `from`
 * ("merged") and start again in `into` (except `leaving` channels, e.g. attended-transfer
 * transferers); `from` gets its call_ended (merged_into = into).
 */
export function mergeCalls(ctx: Ctx, from: CallRecord, into: CallRecord, leaving: readonly string[] = []): void {
  if (from === into || from.endedAt || into.endedAt) return;
  const st = ctx.state;
  const moved: ChannelRecord[] = [];
  for (const id of from.order) {
    const ch = from.channels[id]!;
    if (ch.endedAt || ch.movedTo) continue;
    from.channels[id] = { ...ch, endedAt: ctx.now, movedTo: into.key };
    if (!into.channels[id]) into.order.push(id);
    into.channels[id] = ch;
    into.live++;
    st.channelIndex[id] = into.key;
    moved.push(ch);
  }
  from.live = 0;
  for (const l of from.linkedids) {
    st.linkedidIndex[l] = into.key;
    if (!into.linkedids.includes(l)) into.linkedids.push(l);
  }
  into.mergedFrom.push(from.key);
  if (from.record && from.recordRank < into.recordRank) {
    into.record = from.record;
    into.recordRank = from.recordRank;
  }
  for (const r of from.records) if (!into.records.includes(r)) into.records.push(r);
  if (!into.did) into.did = from.did;
  if (!into.clickToCall && from.clickToCall) into.clickToCall = { ...from.clickToCall };
  if (from.pendingTransferFrom && !into.pendingTransferFrom) into.pendingTransferFrom = from.pendingTransferFrom;
  ctx.touch(into);
  for (const id of from.convOrder) {
    const conv = from.conversations[id]!;
    if (!conv.endedAt) endConversation(ctx, from, conv, "merged");
  }
  for (const ch of moved) {
    const old = from.conversations[ch.id];
    if (!old || leaving.includes(ch.id)) continue;
    // A leg answered but alone in a bridge is a transferer's leftover: it only waits to hang up.
    if (ch.answeredAt > 0 && ch.bridge && !connected(ctx, into, ch)) continue;
    const conv = openConversation(ctx, into, ch, old.role, old.transferredFrom);
    if (conv) {
      conv.queue ||= old.queue;
      conv.via ||= old.via;
      conv.excluded ||= old.excluded;
    }
  }
  closeCall(ctx, from, "merged", into.key);
  evaluate(ctx, into);
}

/** Ends what is still open, emits call_ended (exactly once) and forgets the call. */
export function closeCall(ctx: Ctx, call: CallRecord, reason: string, mergedInto = ""): void {
  if (call.endedAt) return;
  const st = ctx.state;
  for (const id of call.order) {
    const ch = call.channels[id]!;
    if (ch.endedAt || ch.movedTo) continue;
    ch.endedAt = ctx.now;
    leaveBridge(ctx, ch);
  }
  call.live = 0;
  for (const id of call.convOrder) {
    const conv = call.conversations[id]!;
    if (!conv.endedAt) endConversation(ctx, call, conv);
  }
  call.endedAt = ctx.now;
  call.endReason = reason;
  call.mergedInto = mergedInto;
  ctx.touch(call);
  ctx.emit(call, "call_ended");
  for (const id of call.order) if (st.channelIndex[id] === call.key) delete st.channelIndex[id];
  for (const l of call.linkedids) if (st.linkedidIndex[l] === call.key) delete st.linkedidIndex[l];
  delete st.calls[call.key];
  if (reason !== "merged") rememberOriginated(ctx, call);
}

function rememberOriginated(ctx: Ctx, call: CallRecord): void {
  const names: string[] = [];
  for (const id of call.order) {
    const ch = call.channels[id]!;
    if (ch.dialedBy === "originate" || ch.origin === "originated") names.push(ch.name);
  }
  if (names.length === 0 && !call.clickToCall) return;
  const keep = ctx.now - ctx.cfg.raw.originateMemoryMs;
  const list = ctx.state.recentOriginated;
  while (list.length > 0 && list[0]!.at < keep) list.shift();
  list.push({
    at: ctx.now,
    callKey: call.key,
    names,
    actionId: call.clickToCall?.actionId ?? "",
    crmCallId: call.clickToCall?.crmCallId ?? "",
  });
}
