/** CallRecord → CallFull (the snapshot stage events carry). Builds fresh objects every time. */
import type { CallDirection, CallEndReason, CallFull, ChannelFull, ConversationFull, PartyInfo } from "./call-full.js";
import { isBlankNumber, numberFromDialString } from "./classify.js";
import { compileConfig, type CompiledConfig } from "./config.js";
import type { CallRecord, ChannelRecord, ConversationRecord } from "./model.js";
import { activeConversation, answeredConversation, callDirection, callResult, clientNumber, conversationTalkMs, didOf, firstTrunk, ORIGINATE_REASONS, talkMs } from "./outcome.js";
import { keyedRecord } from "./keyed-record.js";
import { formatTime } from "./time-format.js";

interface View {
  call: CallRecord;
  cfg: CompiledConfig;
  direction: CallDirection;
  client: string;
  did: string;
  at: number;
}

function party(number: string, name: string, view: View, kind?: PartyInfo["kind"]): PartyInfo {
  const n = isBlankNumber(number) ? "" : number;
  return {
    number: n,
    name: name === "<unknown>" ? "" : name,
    kind: kind ?? (n === "" ? "unknown" : view.cfg.internal.test(n) ? "employee" : "client"),
  };
}

/** The party that dialled this channel: walks up Dial → Local pair → Dial to a real channel. */
export function rootOf(call: CallRecord, ch: ChannelRecord): ChannelRecord | "originate" | undefined {
  let cur = ch;
  for (let i = 0; i < 16; i++) {
    let by = cur.dialedBy;
    if (!by && cur.kind === "local" && cur.pair) by = call.channels[cur.pair]?.dialedBy ?? "";
    if (by === "originate") return "originate";
    if (!by) return cur === ch ? undefined : cur;
    const p = call.channels[by];
    if (!p) return undefined;
    if (p.kind !== "local") return p;
    cur = p;
  }
  return undefined;
}

export function employeeExt(ch: ChannelRecord, cfg: CompiledConfig): string {
  if (cfg.internal.test(ch.endpoint)) return ch.endpoint;
  if (!isBlankNumber(ch.cidNum) && cfg.internal.test(ch.cidNum)) return ch.cidNum;
  return ch.endpoint;
}

function channelType(ch: ChannelRecord, view: View): ChannelFull["type"] {
  if (ch.kind === "trunk") return ch.origin === "incoming" || (ch.origin === "adopted" && view.direction === "inbound" && ch.id === ch.linkedid) ? "incoming" : "outgoing";
  switch (view.direction) {
    case "inbound":
      return "incoming";
    case "outbound":
      return "outgoing";
    case "internal":
      return "local";
    default:
      return "unknown";
  }
}

function callerPartyOf(ch: ChannelRecord, view: View): PartyInfo {
  const root = rootOf(view.call, ch);
  if (root === "originate") return party(view.client, "", view);
  if (!root) return party(ch.cidNum, ch.cidName, view);
  if (root.kind === "trunk") return party(root.cidNum, root.cidName, view, "client");
  return party(employeeExt(root, view.cfg), root.cidName, view, "employee");
}

function channelFull(ch: ChannelRecord, view: View): ChannelFull {
  const { call, cfg } = view;
  const off = cfg.raw.utcOffsetMinutes;
  let from: PartyInfo;
  let to: PartyInfo;
  let trunk: ChannelFull["trunk"] = null;
  if (ch.kind === "trunk") {
    if (ch.origin === "incoming" || channelType(ch, view) === "incoming") {
      from = party(ch.cidNum, ch.cidName, view, "client");
      to = party(view.did || ch.exten, "", view, "line");
      trunk = { name: ch.endpoint, number: view.did };
    } else {
      const root = rootOf(call, ch);
      let caller = root && root !== "originate" && root.kind === "employee" ? root : undefined;
      if (!caller) {
        for (const id of call.convOrder) {
          if (call.conversations[id]!.role === "caller") {
            caller = call.channels[id];
            break;
          }
        }
      }
      from = caller ? party(employeeExt(caller, cfg), caller.cidName, view, "employee") : party("", "", view);
      to = party(ch.dialString ? numberFromDialString(ch.dialString) : view.client, "", view, "client");
      trunk = { name: ch.endpoint, number: "" };
    }
  } else if (ch.kind === "employee") {
    const conv = call.conversations[ch.id];
    const self = party(employeeExt(ch, cfg), ch.cidName, view, "employee");
    if (ch.origin === "incoming" || conv?.role === "caller") {
      from = self;
      to = party(view.client || (isBlankNumber(ch.exten) ? "" : ch.exten), "", view);
    } else {
      from = callerPartyOf(ch, view);
      to = self;
    }
  } else {
    from = party(ch.cidNum, ch.cidName, view);
    to = party(ch.exten, "", view);
  }
  return {
    id: ch.id,
    name: ch.name,
    is_primary: ch.id === call.key,
    type: channelType(ch, view),
    state: ch.endedAt ? "ended" : ch.answeredAt ? "talking" : "ringing",
    start_time: formatTime(ch.createdAt, off),
    answer_time: formatTime(ch.answeredAt, off),
    end_time: formatTime(ch.endedAt, off),
    was_answered: ch.answeredAt > 0,
    from,
    to,
    trunk,
    extra: {
      tech: ch.tech,
      endpoint: ch.endpoint,
      kind: ch.kind,
      origin: ch.origin,
      linkedid: ch.linkedid,
      context: ch.context,
      exten: ch.exten,
      cause: ch.endedAt && ch.cause >= 0 ? ch.cause : null,
      dial_status: ch.dialStatus,
      dial_string: ch.dialString,
      dialed_by: ch.dialedBy,
      bridge_id: ch.bridge,
      local_pair: ch.pair,
      queue: ch.queue,
      held: ch.held,
    },
  };
}

function conversationFull(conv: ConversationRecord, chFull: ChannelFull, view: View): ConversationFull {
  const ch = view.call.channels[conv.id]!;
  return {
    channel: chFull,
    is_parked: conv.endedAt === 0 && (ch.held || parkedPeer(view.call, ch)),
    user: null,
    extension: conv.ext,
    role: conv.role,
    state: conv.endedAt ? "ended" : conv.acceptedAt ? "accepted" : "requested",
    requested_at: conv.requestedAt,
    accepted_at: conv.acceptedAt || null,
    ended_at: conv.endedAt || null,
    was_accepted: conv.acceptedAt > 0,
    end_reason: conv.endedAt ? conv.endReason : "",
    talk_seconds: Math.round(conversationTalkMs(conv, view.at) / 1000),
    queue: conv.queue,
    via: conv.via,
    excluded: conv.excluded,
    group: conv.queue || conv.via,
    transferred_from: conv.transferredFrom,
    picked_up_from: conv.pickedUpFrom ?? "",
    retrieved_from: conv.retrievedFrom ?? "",
  };
}

/** The client the employee talks to is held/parked (e.g. the trunk leg put on hold from the other side). */
function parkedPeer(call: CallRecord, ch: ChannelRecord): boolean {
  if (!ch.bridge) return false;
  for (const id of call.order) {
    const p = call.channels[id]!;
    if (p !== ch && p.held && p.endedAt === 0 && p.bridge === ch.bridge) return true;
  }
  return false;
}

export function toCallFull(call: CallRecord, cfg: CompiledConfig, at: number): CallFull {
  const direction = callDirection(call);
  const client = clientNumber(call, direction);
  const did = didOf(call, direction);
  const view: View = { call, cfg, direction, client, did, at };
  const off = cfg.raw.utcOffsetMinutes;

  const channels: ChannelFull[] = [];
  const byId = new Map<string, ChannelFull>();
  for (const id of call.order) {
    const ch = call.channels[id]!;
    const full = channelFull(ch, view);
    channels.push(full);
    byId.set(id, full);
  }
  const conversations = keyedRecord<ConversationFull>();
  const rang: string[] = [];
  const excluded: string[] = [];
  let firstAnswer = 0;
  for (const id of call.convOrder) {
    const conv = call.conversations[id]!;
    const chFull = byId.get(id) ?? channelFull(call.channels[id]!, view);
    conversations[id] = conversationFull(conv, chFull, view);
    const list = conv.excluded ? excluded : rang;
    if (!list.includes(conv.ext)) list.push(conv.ext);
    if (conv.acceptedAt && !conv.excluded && (!firstAnswer || conv.acceptedAt < firstAnswer)) firstAnswer = conv.acceptedAt;
  }
  const answered = answeredConversation(call);
  const active = activeConversation(call);
  const trunk = firstTrunk(call, false);
  const c2c = call.clickToCall;
  const trunkName = trunk ? trunk.endpoint : "";
  return {
    active_conversation_id: active ? active.id : "",
    channel: byId.get(call.key) ?? channels[0] ?? null,
    conversations,
    deal: null,
    entity: null,
    is_ivr: direction === "inbound" && call.convOrder.length === 0,
    record: call.record,
    registration: null,
    result: callResult(call, direction),
    call_key: call.key,
    linkedids: call.linkedids.slice(),
    channels,
    direction,
    client_number: client,
    // An outbound call's line: a DID variable set on it (the portal's line of a click-to-call travels
    // with the Originate), else the trunk.
    line_number: did || (direction !== "inbound" && call.did ? call.did : trunkName),
    did,
    trunk_name: trunkName,
    start_time: formatTime(call.createdAt, off),
    answer_time: formatTime(firstAnswer, off),
    end_time: formatTime(call.endedAt, off),
    started_at: call.createdAt,
    answered_at: firstAnswer || null,
    ended_at: call.endedAt || null,
    talk_seconds: Math.round(talkMs(call, at, false) / 1000),
    talk_seconds_total: Math.round(talkMs(call, at, true) / 1000),
    answered_conversation_id: answered ? answered.id : "",
    answered_extension: answered ? answered.ext : "",
    rang_extensions: rang,
    excluded_extensions: excluded,
    click_to_call: c2c
      ? {
          action_id: c2c.actionId,
          crm_call_id: c2c.crmCallId,
          exten: c2c.exten,
          channel: c2c.channel,
          response: c2c.response,
          reason: c2c.reason >= 0 ? c2c.reason : null,
          reason_text: c2c.reason >= 0 ? (ORIGINATE_REASONS[c2c.reason]?.text ?? "unknown") : "pending",
        }
      : null,
    transfers: call.transfers.map((t) => ({ ...t })),
    records: call.records.slice(),
    parks: (call.parks ?? []).map((p) => ({
      at: p.at,
      parkee: p.parkee,
      lot: p.lot,
      space: p.space,
      parker: p.parker,
      ended_at: p.endedAt || null,
      outcome: p.outcome,
      retriever: p.retriever,
    })),
    pickups: (call.pickups ?? []).map((p) => ({ ...p })),
    queue_visits: (call.queueVisits ?? []).map((v) => ({ queue: v.queue, caller: v.caller, joined_at: v.joinedAt, left_at: v.leftAt || null, abandoned: v.abandoned })),
    voicemails: (call.voicemails ?? []).slice(),
    ended: call.endedAt > 0,
    end_reason: call.endedAt ? (call.endReason as CallEndReason) : null,
    merged_into: call.mergedInto || null,
    merged_from: call.mergedFrom.slice(),
  };
}

/** Snapshot of a call in progress (for /status, tests, a pipeline that resumes). */
export function snapshotCall(
  state: { calls: Record<string, CallRecord> },
  callKey: string,
  now: number,
  config: Partial<import("./config.js").TrackerConfig> = {},
): CallFull | undefined {
  const call = state.calls[callKey];
  return call ? toCallFull(call, compileConfig(config), now) : undefined;
}
