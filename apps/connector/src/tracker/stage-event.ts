import type { CallFull } from "./call-full.js";

/** Itgrix call stages. */
export type Stage = "conversation_requested" | "conversation_accepted" | "conversation_ended" | "call_ended";

interface StageEventBase {
  callKey: string;
  /** `now` of the input that produced the event. */
  at: number;
  /** Snapshot of the call right after this stage (a fresh object, never mutated later). */
  call: CallFull;
}

/** An employee's phone starts ringing for this call (or the employee starts the call). */
export interface ConversationRequested extends StageEventBase {
  stage: "conversation_requested";
  conversationId: string;
}
/** The employee is connected to the other party. */
export interface ConversationAccepted extends StageEventBase {
  stage: "conversation_accepted";
  conversationId: string;
}
/** The employee's leg is over (answered or not; see call.conversations[id].end_reason). */
export interface ConversationEnded extends StageEventBase {
  stage: "conversation_ended";
  conversationId: string;
}
/** The last channel of the call is gone (or the call was closed by reconcile/expire/merge). Always last, exactly once. */
export interface CallEnded extends StageEventBase {
  stage: "call_ended";
}

export type StageEvent = ConversationRequested | ConversationAccepted | ConversationEnded | CallEnded;

/** Something the tracker ignored or could not use; for logs and metrics, never an error. */
export interface TrackerDiagnostic {
  kind: "unknown_channel" | "missing_field" | "late_originate_response" | "internal_error";
  event: string;
  detail: string;
}

export interface TrackResult<S> {
  state: S;
  events: StageEvent[];
  /** Keys of calls whose state changed (persist `state.calls[key]`, or delete it when absent). */
  touched: string[];
  diagnostics: TrackerDiagnostic[];
}
