/**
 * What the PBX knows about one call, for the b24-app's CALL_CARD tab: built from the newest call
 * snapshot (`call_full` of the last stage) and the journal summary. Pure.
 *
 *   route     the dialplan path: the line/DID it came in on, the IVR (menu left without reaching
 *             anyone), the queues / ring groups it went through, in order
 *   rang      each employee leg: extension, via (queue/group/DID), answered?, talk time, end reason
 *   transfers blind / attended, from → to
 *   answeredBy the extension responsible at the end (last accepted CRM conversation)
 */
import type { CallSummary } from "../journal/index.js";
import type { CallFull, ConversationFull } from "../tracker/call-full.js";

export interface CallLegFact {
  extension: string;
  via: string;
  group: string;
  queue: string;
  answered: boolean;
  talkSeconds: number;
  endReason: string;
  transferredFrom: string;
  inCrm: boolean;
  requestedAt: number;
}

export interface PbxCallFacts {
  callKey: string;
  crmCallId: string;
  journalStatus: string;
  direction: string;
  clientNumber: string;
  lineNumber: string;
  did: string;
  trunk: string;
  startTime: string;
  answerTime: string;
  endTime: string;
  ended: boolean;
  result: number;
  /** Inbound call that left the IVR without reaching an employee. */
  missedInIvr: boolean;
  /** Dialplan path: DID, then each context/extension the main channel and Local legs went through, then the groups. */
  route: string[];
  queues: string[];
  legs: CallLegFact[];
  transfers: Array<{ kind: string; from: string; to: string; at: number }>;
  answeredBy: string;
  talkSeconds: number;
  record: string;
  mergedInto: string | null;
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter((v) => v !== ""))];
}

function leg(c: ConversationFull): CallLegFact {
  return {
    extension: c.extension,
    via: c.via,
    group: c.group,
    queue: c.queue,
    answered: c.was_accepted,
    talkSeconds: c.talk_seconds,
    endReason: c.end_reason,
    transferredFrom: c.transferred_from,
    inCrm: !c.excluded,
    requestedAt: c.requested_at,
  };
}

export function pbxCallFacts(call: CallFull, summary: CallSummary | undefined): PbxCallFacts {
  const legs = Object.values(call.conversations)
    .map(leg)
    .sort((a, b) => a.requestedAt - b.requestedAt);
  const queues = unique(legs.map((l) => l.queue || l.group));
  const nonEmployee = call.channels.filter((ch) => ch.extra.kind !== "employee");
  const dialplan = unique(nonEmployee.map((ch) => (ch.extra.context && ch.extra.exten ? `${ch.extra.context},${ch.extra.exten}` : "")));
  return {
    callKey: call.call_key,
    crmCallId: summary?.crmCallId ?? "",
    journalStatus: summary?.status ?? "unknown",
    direction: call.direction,
    clientNumber: call.client_number,
    lineNumber: call.line_number,
    did: call.did,
    trunk: call.trunk_name,
    startTime: call.start_time,
    answerTime: call.answer_time,
    endTime: call.end_time,
    ended: call.ended,
    result: call.result,
    missedInIvr: call.is_ivr,
    route: unique([call.did ? `DID ${call.did}` : "", ...dialplan, ...queues.map((q) => `group ${q}`)]),
    queues,
    legs,
    transfers: call.transfers.map((t) => ({ kind: t.kind, from: t.from, to: t.to, at: t.at })),
    answeredBy: call.answered_extension,
    talkSeconds: call.talk_seconds,
    record: call.record,
    mergedInto: call.merged_into,
  };
}

/** Extensions seen on calls: extension → how many calls rang / were answered there, last seen. */
export interface ExtensionSeen {
  extension: string;
  b24Inner: string;
  calls: number;
  answered: number;
  lastSeenAt: number;
}

export function collectExtensions(calls: CallFull[], toB24: (pbx: string) => string): ExtensionSeen[] {
  const out = new Map<string, ExtensionSeen>();
  for (const call of calls) {
    for (const c of Object.values(call.conversations)) {
      if (!c.extension) continue;
      let e = out.get(c.extension);
      if (!e) out.set(c.extension, (e = { extension: c.extension, b24Inner: toB24(c.extension), calls: 0, answered: 0, lastSeenAt: 0 }));
      e.calls++;
      if (c.was_accepted) e.answered++;
      e.lastSeenAt = Math.max(e.lastSeenAt, c.requested_at);
    }
  }
  return [...out.values()].sort((a, b) => a.extension.localeCompare(b.extension, undefined, { numeric: true }));
}
