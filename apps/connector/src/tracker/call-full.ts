/**
 * `call_full`: the snapshot of a call that every stage event carries (Itgrix bx ≥ 3.10 shape,
 * plus the fields the CRM pipeline needs). Plain JSON, snake_case like Itgrix. Each snapshot is
 * a fresh object: holding it is safe, the tracker never changes it afterwards.
 * The sub-objects Itgrix never documented (`from`, `to`, `trunk`, `extra`) are defined here and
 * described in docs/tracker.md.
 */

/** "YYYY-MM-DD HH:MM:SS", or ZERO_TIME when the moment has not happened. */
export type DateTimeString = string;
export const ZERO_TIME = "0001-01-01 00:00:00";

export type CallDirection = "inbound" | "outbound" | "internal" | "unknown";

/** One end of a channel. */
export type PartyInfo = {
  /** Phone number or extension ("" when unknown). */
  number: string;
  /** Caller ID name when known. */
  name: string;
  /** employee: an internal extension; client: a number outside the PBX; line: the company's DID; unknown. */
  kind: "employee" | "client" | "line" | "unknown";
};

/** The trunk a channel went through (Itgrix: "trunk number details"). */
export type TrunkInfo = {
  /** Trunk endpoint name as in the channel name (`provider`). */
  name: string;
  /** Number of the line: the DID for incoming calls, "" when unknown. */
  number: string;
};

/** Technical details of a channel (Itgrix: "extra fields from the CEL table"). */
export type ChannelExtra = {
  tech: string;
  endpoint: string;
  kind: "employee" | "trunk" | "local" | "other";
  origin: "incoming" | "dialed" | "originated" | "adopted";
  linkedid: string;
  context: string;
  exten: string;
  /** Hangup cause (Q.850), null while the channel lives. */
  cause: number | null;
  dial_status: string;
  dial_string: string;
  /** Uniqueid of the channel that dialled this one, "originate", or "". */
  dialed_by: string;
  bridge_id: string;
  /** Other half of a Local channel pair. */
  local_pair: string;
  queue: string;
  held: boolean;
};

export interface ChannelFull {
  id: string;
  name: string;
  /** uniqueid == the call's first linkedid. */
  is_primary: boolean;
  type: "local" | "incoming" | "outgoing" | "unknown";
  state: "ringing" | "talking" | "ended";
  start_time: DateTimeString;
  answer_time: DateTimeString;
  end_time: DateTimeString;
  was_answered: boolean;
  /** Calling side of this channel. */
  from: PartyInfo;
  /** Called side of this channel. */
  to: PartyInfo;
  /** Set for trunk channels. */
  trunk: TrunkInfo | null;
  extra: ChannelExtra;
}

export interface ConversationFull {
  /** The employee's channel. */
  channel: ChannelFull;
  is_parked: boolean;
  /** Filled by the pipeline (Bitrix24 user); the tracker gives `extension`. */
  user: null;
  extension: string;
  /** callee: the employee was rung; caller: the employee (or a click-to-call) started the call. */
  role: "callee" | "caller";
  state: "requested" | "accepted" | "ended";
  requested_at: number;
  accepted_at: number | null;
  ended_at: number | null;
  was_accepted: boolean;
  /** Why it ended: completed, transferred, answered_elsewhere, no_answer, busy, unavailable, rejected, cancelled, merged, call_ended. */
  end_reason: string;
  talk_seconds: number;
  queue: string;
  /** Dialplan number that rang this employee (queue 600, ring group 650, a DID…). */
  via: string;
  /** The call reached this employee through a queue/extension that is not in the CRM. */
  excluded: boolean;
  /** Queue name, else ring group number, else "". */
  group: string;
  transferred_from: string;
  /** Extension whose ringing phone this employee picked up (call pickup), "" otherwise. */
  picked_up_from: string;
  /** Parking space this employee took the client from, "" otherwise. */
  retrieved_from: string;
}

export interface ParkFull {
  at: number;
  /** Uniqueid of the parked channel. */
  parkee: string;
  lot: string;
  space: string;
  parker: string;
  ended_at: number | null;
  /** "" while parked, then retrieved | timeout | giveup. */
  outcome: string;
  retriever: string;
}

export interface PickupFull {
  at: number;
  /** Extension that picked up. */
  by: string;
  /** Extension that was ringing. */
  from: string;
}

export interface ClickToCallFull {
  action_id: string;
  crm_call_id: string;
  /** Number the CRM asked to call (Originate Exten), "" when unknown. */
  exten: string;
  /** Channel the CRM originated (PJSIP/101): tells the manager when no channel was ever created. */
  channel: string;
  /** OriginateResponse: "Success" (the manager's phone answered), "Failure", or "" (none yet). */
  response: string;
  reason: number | null;
  /** Plain reason: answered, failed, hangup, no_answer, busy, congestion, unknown, pending. */
  reason_text: string;
}

/** The caller in an app_queue queue (QueueCallerJoin → QueueCallerLeave). */
export interface QueueVisitFull {
  queue: string;
  /** Uniqueid of the waiting channel. */
  caller: string;
  joined_at: number;
  /** null while the caller waits. */
  left_at: number | null;
  /** The caller hung up while waiting (QueueCallerAbandon). */
  abandoned: boolean;
}

export interface TransferFull {
  kind: "blind" | "attended";
  at: number;
  from: string;
  to: string;
}

export type CallEndReason = "hangup" | "reconcile" | "expired" | "merged" | "originate_failed";

export interface CallFull {
  // --- Itgrix call_full ---------------------------------------------------------------------
  /** Uniqueid of the current conversation, or "". */
  active_conversation_id: string;
  /** Main channel (its uniqueid is the call's first linkedid). */
  channel: ChannelFull | null;
  conversations: Record<string, ConversationFull>;
  deal: null;
  entity: null;
  /** Inbound call that never rang an employee (missed in the IVR). */
  is_ivr: boolean;
  /** Recording file (MIXMONITOR_FILENAME, else REC_FILE), or "". */
  record: string;
  registration: null;
  /** SIP-style result: 200 answered, 304 missed, 486 busy, 480 no answer, 603 cancelled, 503 failed, 404, 484. */
  result: number;

  // --- ours ---------------------------------------------------------------------------------
  call_key: string;
  linkedids: string[];
  channels: ChannelFull[];
  direction: CallDirection;
  /** The client's number (caller for inbound, dialled number for outbound), "" for internal. */
  client_number: string;
  /** Line: DID for inbound, else the trunk name. */
  line_number: string;
  did: string;
  trunk_name: string;
  start_time: DateTimeString;
  answer_time: DateTimeString;
  end_time: DateTimeString;
  started_at: number;
  answered_at: number | null;
  ended_at: number | null;
  /** Talk time of CRM conversations (answer → end, overlaps counted once), seconds. */
  talk_seconds: number;
  /** Same including excluded (non-CRM) conversations. */
  talk_seconds_total: number;
  /** The conversation responsible at the end: the last accepted non-excluded one, or "". */
  answered_conversation_id: string;
  answered_extension: string;
  /** Extensions (non-excluded) that were rung or started the call, in order, no repeats. */
  rang_extensions: string[];
  /** Extensions whose conversations are excluded (not in the CRM). */
  excluded_extensions: string[];
  click_to_call: ClickToCallFull | null;
  transfers: TransferFull[];
  records: string[];
  /** Parks of the client, in order. */
  parks: ParkFull[];
  /** Call pickups, in order. */
  pickups: PickupFull[];
  /** The caller's visits to app_queue queues, in order. */
  queue_visits: QueueVisitFull[];
  /** Voicemail messages left in the call (VM_MESSAGEFILE as the PBX set it, usually without extension). */
  voicemails: string[];
  ended: boolean;
  end_reason: CallEndReason | null;
  merged_into: string | null;
  merged_from: string[];
}
