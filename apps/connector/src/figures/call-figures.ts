import type { CallFull, ConversationFull } from "../tracker/call-full.js";

/**
 * What one finished call adds to the queue and manager figures, from its call_ended snapshot
 * (the tracker's own data: app_queue's QueueCaller* events and the employees' conversations).
 * Pure; stored per call (FiguresStore) and summed over a period (aggregate.ts).
 */

export type QueueOutcome = "answered" | "abandoned" | "other";

/** The caller's stay in one queue. */
export interface QueueLegFigures {
  queue: string;
  joinedAt: number;
  /** answered: an agent of the queue took the call; abandoned: the caller hung up waiting; other: timeout / left the queue. */
  outcome: QueueOutcome;
  /** Seconds from joining to the answer, or to leaving the queue unanswered. */
  waitSec: number;
  answeredBy: string;
  /** Talk of the answering agent's conversation, seconds. */
  talkSec: number;
}

/** One employee's part in the call. */
export interface AgentFigures {
  ext: string;
  /** The phone rang for this call (callee at least once). */
  rung: boolean;
  /** Took the call (a callee conversation accepted). */
  answered: boolean;
  /** Rang and did not answer while nobody else had answered it (no answer, busy, rejected, caller gave up). */
  missed: boolean;
  /** Started the call (caller: outbound, internal, click-to-call). */
  placed: boolean;
  talkSec: number;
}

export interface CallFigures {
  key: string;
  startedAt: number;
  endedAt: number;
  direction: CallFull["direction"];
  client: string;
  line: string;
  /** An employee took the call. */
  answered: boolean;
  /** Inbound, rang at least one employee, answered by none. */
  missedByAll: boolean;
  /** Inbound, never rang an employee (ended in the IVR). */
  ivr: boolean;
  queues: QueueLegFigures[];
  agents: AgentFigures[];
}

/** A leg that ended this way did not miss the call: someone else had it. */
const NOT_MISSED = new Set(["answered_elsewhere", "picked_up", "merged"]);

const seconds = (ms: number): number => Math.max(0, Math.round(ms / 100) / 10);

function queueLegs(call: CallFull, convs: ConversationFull[], end: number): QueueLegFigures[] {
  const visits = call.queue_visits ?? [];
  if (visits.length > 0) {
    return visits.map((v, i) => {
      const next = visits.slice(i + 1).find((n) => n.queue === v.queue)?.joined_at ?? Infinity;
      const agent = convs.find((c) => c.queue === v.queue && c.accepted_at !== null && c.accepted_at >= v.joined_at && c.accepted_at < next);
      if (agent && agent.accepted_at !== null)
        return {
          queue: v.queue,
          joinedAt: v.joined_at,
          outcome: "answered",
          waitSec: seconds(agent.accepted_at - v.joined_at),
          answeredBy: agent.extension,
          talkSec: agent.talk_seconds,
        };
      const left = v.left_at ?? end;
      const outcome: QueueOutcome = v.abandoned || v.left_at === null ? "abandoned" : "other";
      return { queue: v.queue, joinedAt: v.joined_at, outcome, waitSec: seconds(left - v.joined_at), answeredBy: "", talkSec: 0 };
    });
  }
  // No QueueCaller* events (a call rebuilt from CEL, state from before they were tracked): the
  // queue's agent legs tell the same story, from the first ring instead of the join.
  const byQueue = new Map<string, ConversationFull[]>();
  for (const c of convs) if (c.queue) byQueue.set(c.queue, [...(byQueue.get(c.queue) ?? []), c]);
  return [...byQueue].map(([queue, legs]) => {
    const joinedAt = Math.min(...legs.map((c) => c.requested_at));
    const agent = legs.filter((c) => c.accepted_at !== null).sort((a, b) => a.accepted_at! - b.accepted_at!)[0];
    if (agent) return { queue, joinedAt, outcome: "answered", waitSec: seconds(agent.accepted_at! - joinedAt), answeredBy: agent.extension, talkSec: agent.talk_seconds };
    return { queue, joinedAt, outcome: call.answered_at === null ? "abandoned" : "other", waitSec: seconds(end - joinedAt), answeredBy: "", talkSec: 0 };
  });
}

function agents(convs: ConversationFull[]): AgentFigures[] {
  const byExt = new Map<string, ConversationFull[]>();
  for (const c of convs) if (c.extension) byExt.set(c.extension, [...(byExt.get(c.extension) ?? []), c]);
  return [...byExt].map(([ext, legs]) => {
    const rangLegs = legs.filter((c) => c.role === "callee");
    const answered = rangLegs.some((c) => c.was_accepted);
    return {
      ext,
      rung: rangLegs.length > 0,
      answered,
      missed: !answered && rangLegs.some((c) => !NOT_MISSED.has(c.end_reason)),
      placed: legs.some((c) => c.role === "caller"),
      talkSec: legs.reduce((n, c) => n + c.talk_seconds, 0),
    };
  });
}

export function callFigures(call: CallFull): CallFigures {
  const convs = Object.values(call.conversations).sort((a, b) => a.requested_at - b.requested_at);
  const end = call.ended_at ?? Math.max(call.started_at, ...convs.map((c) => c.ended_at ?? 0));
  const answered = convs.some((c) => c.was_accepted);
  const rang = convs.some((c) => c.role === "callee");
  return {
    key: call.call_key,
    startedAt: call.started_at,
    endedAt: end,
    direction: call.direction,
    client: call.client_number,
    line: call.line_number,
    answered,
    missedByAll: call.direction === "inbound" && rang && !answered,
    ivr: call.direction === "inbound" && !rang,
    queues: queueLegs(call, convs, end),
    agents: agents(convs),
  };
}
