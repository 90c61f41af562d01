import type { CallSummary, JournalEntry } from "../journal/index.js";

/**
 * One call's story for the console: each stage the tracker built from AMI events, followed by
 * what the pipeline did for it (hooks' errors, each Bitrix24 request and its answer, notes), then
 * the outcome. Built from the journal (entries in the order they were written) and the call's
 * stored stage events (the outbox), matched by stage name and conversation in order.
 */
export interface TimelineStep {
  /** The stage as the tracker saw it (from AMI); absent for entries written before any stage. */
  stage?: {
    name: string;
    /** When it happened on the PBX's clock (AMI `Timestamp`). */
    at: number;
    /** The same moment on the connector's clock (`at` − the measured skew), when the skew is known. */
    localAt?: number;
    conversationId?: string;
    /** Employee's extension, role and how the leg ended, when the stage is about a conversation. */
    extension?: string;
    role?: string;
    endReason?: string;
    talkSeconds?: number;
    result?: number;
  };
  entries: JournalEntry[];
}

export interface Timeline {
  summary: CallSummary;
  steps: TimelineStep[];
  /** PBX clock − ours (ms) as measured now, and whether it is large enough to mention (> 5 s). */
  clock: { pbxSkewMs: number | null; large: boolean };
  outcome: { status: string; reason?: string; statusCode?: string; responsibleUserId?: string; crmCallId?: string };
}

interface StoredStage {
  stage?: string;
  at?: number;
  conversationId?: string;
  call?: { conversations?: Record<string, { extension?: string; role?: string; end_reason?: string; talk_seconds?: number }>; result?: number };
}

/** A PBX clock further off ours than this is shown beside the call's timeline. */
export const NOTABLE_SKEW_MS = 5_000;

function describe(ev: StoredStage, skewMs: number | undefined): NonNullable<TimelineStep["stage"]> {
  const conv = ev.conversationId ? ev.call?.conversations?.[ev.conversationId] : undefined;
  return {
    name: ev.stage ?? "?",
    at: ev.at ?? 0,
    ...(skewMs !== undefined && ev.at ? { localAt: ev.at - skewMs } : {}),
    ...(ev.conversationId ? { conversationId: ev.conversationId } : {}),
    ...(conv?.extension ? { extension: conv.extension } : {}),
    ...(conv?.role ? { role: conv.role } : {}),
    ...(conv && ev.stage === "conversation_ended" ? { endReason: conv.end_reason ?? "", talkSeconds: conv.talk_seconds ?? 0 } : {}),
    ...(ev.stage === "call_ended" && typeof ev.call?.result === "number" ? { result: ev.call.result } : {}),
  };
}

/**
 * Steps are in the order the connector handled them (its own clock, the journal's order), so a
 * PBX whose clock is off does not put its events after the requests they caused; each stage keeps
 * its PBX time and, with the measured skew, the same moment on the connector's clock.
 */
export function buildTimeline(summary: CallSummary, entries: JournalEntry[], stages: unknown[], pbxSkewMs?: number): Timeline {
  const stored = stages as StoredStage[];
  const used = new Set<number>();
  const steps: TimelineStep[] = [];
  let current: TimelineStep = { entries: [] };
  const matchStage = (name: string | undefined, conv: string | undefined): StoredStage | undefined => {
    const i = stored.findIndex((s, idx) => !used.has(idx) && s.stage === name && (conv === undefined || s.conversationId === conv));
    if (i < 0) return undefined;
    used.add(i);
    return stored[i];
  };
  for (const entry of entries) {
    if (entry.kind === "stage") {
      if (current.stage || current.entries.length) steps.push(current);
      const ev = matchStage(entry.stage, entry.text) ?? { stage: entry.stage, at: entry.at, ...(entry.text ? { conversationId: entry.text } : {}) };
      current = { stage: describe(ev, pbxSkewMs), entries: [] };
    } else current.entries.push(entry);
  }
  if (current.stage || current.entries.length) steps.push(current);
  // Stages the tracker stored that the pipeline has not handled yet (still waiting in the queue).
  stored.forEach((s, i) => {
    if (!used.has(i)) steps.push({ stage: describe(s, pbxSkewMs), entries: [] });
  });
  return {
    summary,
    steps,
    clock: { pbxSkewMs: pbxSkewMs ?? null, large: pbxSkewMs !== undefined && Math.abs(pbxSkewMs) > NOTABLE_SKEW_MS },
    outcome: {
      status: summary.status,
      ...(summary.reason ? { reason: summary.reason } : {}),
      ...(summary.statusCode ? { statusCode: summary.statusCode } : {}),
      ...(summary.responsibleUserId ? { responsibleUserId: summary.responsibleUserId } : {}),
      ...(summary.crmCallId ? { crmCallId: summary.crmCallId } : {}),
    },
  };
}
