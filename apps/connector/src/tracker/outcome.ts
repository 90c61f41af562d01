/**
 * What a call amounts to, derived from its record: direction, client number, line, result, talk
 * time, responsible conversation. Pure functions of a CallRecord (+ `at` for calls in progress).
 */
import type { CallDirection } from "./call-full.js";
import { isBlankNumber, numberFromDialString } from "./classify.js";
import type { CallRecord, ChannelRecord, ConversationRecord } from "./model.js";

/** First trunk or employee channel of the call (Local halves are plumbing). */
export function firstRealChannel(call: CallRecord): ChannelRecord | undefined {
  for (const id of call.order) {
    const ch = call.channels[id]!;
    if (ch.kind === "trunk" || ch.kind === "employee") return ch;
  }
  return undefined;
}

export function firstTrunk(call: CallRecord, outgoingOnly: boolean): ChannelRecord | undefined {
  for (const id of call.order) {
    const ch = call.channels[id]!;
    if (ch.kind !== "trunk") continue;
    if (outgoingOnly && ch.origin === "incoming") continue;
    return ch;
  }
  return undefined;
}

/**
 * inbound: the first real channel is a trunk that called in; outbound: an employee (or a
 * click-to-call) started it and a trunk was dialled (or the first real channel is a trunk we
 * dialled); internal: no trunk at all.
 */
export function callDirection(call: CallRecord): CallDirection {
  const first = firstRealChannel(call);
  if (!first) return call.clickToCall ? "outbound" : "unknown";
  if (first.kind === "trunk") {
    if (first.origin === "incoming") return "inbound";
    // An adopted trunk leg called in only if it started its call (its uniqueid is the linkedid).
    if (first.origin === "adopted") return first.id === first.linkedid ? "inbound" : "outbound";
    return "outbound";
  }
  if (firstTrunk(call, false) || call.clickToCall) return "outbound";
  return "internal";
}

export function clientNumber(call: CallRecord, direction: CallDirection): string {
  if (direction === "inbound") {
    const first = firstRealChannel(call);
    return first && !isBlankNumber(first.cidNum) ? first.cidNum : "";
  }
  if (direction === "outbound") {
    const trunk = firstTrunk(call, true);
    if (trunk && trunk.dialString) {
      const n = numberFromDialString(trunk.dialString);
      if (!isBlankNumber(n)) return n;
    }
    if (call.clickToCall && !isBlankNumber(call.clickToCall.exten)) return call.clickToCall.exten;
    const first = firstRealChannel(call);
    if (first && first.kind === "employee" && (first.origin === "incoming" || first.origin === "adopted")) {
      const n = numberFromDialString(first.exten);
      if (!isBlankNumber(n)) return n;
    }
    return "";
  }
  return "";
}

export function didOf(call: CallRecord, direction: CallDirection): string {
  if (direction !== "inbound") return "";
  const first = firstRealChannel(call);
  // Adopted after a reconnect: Exten is where the channel is now; the DID variable is the truth.
  if (first && first.origin === "adopted" && call.did) return call.did;
  if (first && !isBlankNumber(first.exten)) return first.exten;
  return call.did;
}

export function isAnswered(call: CallRecord): boolean {
  for (const id of call.convOrder) if (call.conversations[id]!.acceptedAt > 0) return true;
  return false;
}

/** Another employee leg of the call has answered (so a CANCEL to this one is "answered elsewhere"). */
export function anotherEmployeeAnswered(call: CallRecord, except: string): boolean {
  for (const id of call.convOrder) {
    if (id === except) continue;
    const ch = call.channels[id];
    if (ch && ch.answeredAt > 0 && call.conversations[id]!.role === "callee") return true;
  }
  return false;
}

const CAUSE_RESULT: Record<number, number> = { 1: 404, 3: 404, 17: 486, 18: 480, 19: 480, 21: 603, 27: 503, 28: 484, 34: 503, 38: 503, 41: 503, 42: 503 };
const DIAL_RESULT: Record<string, number> = { BUSY: 486, NOANSWER: 480, CANCEL: 603, CONGESTION: 503, CHANUNAVAIL: 503 };
/** OriginateResponse Reason → plain text and result. */
export const ORIGINATE_REASONS: Record<number, { text: string; result: number }> = {
  0: { text: "failed", result: 503 },
  1: { text: "hangup", result: 603 },
  3: { text: "no_answer", result: 480 },
  4: { text: "answered", result: 200 },
  5: { text: "busy", result: 486 },
  8: { text: "congestion", result: 503 },
};

function legResult(ch: ChannelRecord): number | undefined {
  if (ch.dialStatus && DIAL_RESULT[ch.dialStatus] !== undefined) return DIAL_RESULT[ch.dialStatus];
  if (ch.cause >= 0 && CAUSE_RESULT[ch.cause] !== undefined) return CAUSE_RESULT[ch.cause];
  return undefined;
}

/** SIP-style result: 200 answered, 304 missed (inbound/internal), else why the outbound call failed. */
export function callResult(call: CallRecord, direction: CallDirection): number {
  if (isAnswered(call)) return 200;
  if (direction === "outbound") {
    const trunk = firstTrunk(call, true);
    if (trunk) return legResult(trunk) ?? 603;
    const c2c = call.clickToCall;
    if (c2c && c2c.response === "Failure") return ORIGINATE_REASONS[c2c.reason]?.result ?? 503;
    // Click-to-call whose manager never connected: the manager's leg tells why.
    for (const id of call.convOrder) {
      const r = legResult(call.channels[id]!);
      if (r !== undefined) return r;
    }
    return 603;
  }
  if (direction === "internal") {
    for (const id of call.convOrder) {
      const conv = call.conversations[id]!;
      if (conv.role === "callee" && call.channels[id]!.dialStatus === "BUSY") return 486;
    }
  }
  return 304;
}

export function conversationTalkMs(conv: ConversationRecord, at: number): number {
  if (!conv.acceptedAt) return 0;
  const end = conv.endedAt || at;
  return end > conv.acceptedAt ? end - conv.acceptedAt : 0;
}

/** Union of answer→end intervals (a consult overlapping the main talk is counted once). */
export function talkMs(call: CallRecord, at: number, includeExcluded: boolean): number {
  const spans: [number, number][] = [];
  for (const id of call.convOrder) {
    const c = call.conversations[id]!;
    if (!c.acceptedAt || (c.excluded && !includeExcluded)) continue;
    spans.push([c.acceptedAt, c.endedAt || at]);
  }
  // A client parked after talking to an employee is on hold: the wait in the slot is talk time.
  for (const p of call.parks ?? []) if (p.afterTalk) spans.push([p.at, p.endedAt || at]);
  if (spans.length === 0) return 0;
  spans.sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [s, e] = spans[0]!;
  for (let i = 1; i < spans.length; i++) {
    const [s2, e2] = spans[i]!;
    if (s2 <= e) e = Math.max(e, e2);
    else {
      total += e - s;
      s = s2;
      e = e2;
    }
  }
  return total + Math.max(0, e - s);
}

/** The responsible conversation: the last accepted one that is for the CRM. */
export function answeredConversation(call: CallRecord): ConversationRecord | undefined {
  let best: ConversationRecord | undefined;
  for (const id of call.convOrder) {
    const c = call.conversations[id]!;
    if (!c.acceptedAt || c.excluded) continue;
    if (!best || c.acceptedAt >= best.acceptedAt) best = c;
  }
  return best;
}

export function activeConversation(call: CallRecord): ConversationRecord | undefined {
  let talking: ConversationRecord | undefined;
  let ringing: ConversationRecord | undefined;
  for (const id of call.convOrder) {
    const c = call.conversations[id]!;
    if (c.endedAt) continue;
    if (c.acceptedAt) {
      if (!talking || (talking.excluded && !c.excluded) || (talking.excluded === c.excluded && c.acceptedAt >= talking.acceptedAt)) talking = c;
    } else ringing = c;
  }
  return talking ?? ringing;
}
