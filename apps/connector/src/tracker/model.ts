/**
 * The tracker's persisted state: plain JSON data, no classes, no Maps, so it can be written to
 * Redis per call (`state.calls[key]`) and read back by a restarted connector.
 *
 * Times are the `now` the caller passed in (ms; epoch ms in production, recording time in
 * tests); 0 means "has not happened".
 */

import { keyedRecord } from "./keyed-record.js";

/** What a channel is, from its name (and, for short names, its context). */
export type ChannelKind = "employee" | "trunk" | "local" | "other";

/**
 * How the channel came to exist:
 * - `incoming`: a device started it (Newchannel in state Ring: a phone or a trunk calling in);
 * - `dialed`: Dial/Queue/Originate created it to call a device (state Down);
 * - `originated`: dialled by an AMI Originate (DialBegin without a caller);
 * - `adopted`: first seen in CoreShowChannels after a reconnect.
 */
export type ChannelOrigin = "incoming" | "dialed" | "originated" | "adopted";

export interface ChannelRecord {
  id: string;
  name: string;
  linkedid: string;
  kind: ChannelKind;
  /** Technology (PJSIP, SIP, Local…). */
  tech: string;
  /** Endpoint / peer / trunk name (`provider`, `101`); for Local: `exten@context`. */
  endpoint: string;
  origin: ChannelOrigin;
  /** Context and Exten when the channel was created. */
  context: string;
  exten: string;
  cidNum: string;
  cidName: string;
  /** Last ChannelState (0 Down, 4 Ring, 5 Ringing, 6 Up …). */
  state: number;
  createdAt: number;
  answeredAt: number;
  endedAt: number;
  /** Hangup cause, -1 while unknown. */
  cause: number;
  /** Uniqueid of the channel that dialled this one, "originate", or "". */
  dialedBy: string;
  dialString: string;
  /** DialStatus of the DialEnd that ended the dial to this channel. */
  dialStatus: string;
  /** Bridge the channel is in now ("" = none). */
  bridge: string;
  holding: boolean;
  /** The other half of a Local pair. */
  pair: string;
  /** Queue that called this leg (AgentCalled), inherited through Local pairs. */
  queue: string;
  /** Dialplan number the caller was at when it dialled this leg (queue 600, ring group 650…). */
  via: string;
  /** Hold (phone re-INVITE) or parked. */
  held: boolean;
  /** Set in the call the channel left when calls were merged. */
  movedTo?: string;
}

export type ConversationRole = "callee" | "caller";

export interface ConversationRecord {
  /** Uniqueid of the employee's channel. */
  id: string;
  ext: string;
  role: ConversationRole;
  requestedAt: number;
  acceptedAt: number;
  endedAt: number;
  endReason: string;
  queue: string;
  via: string;
  excluded: boolean;
  /** Extension that transferred the call to this conversation (or parked it, for a retriever). */
  transferredFrom: string;
  /** Extension whose ringing phone this employee picked up (`Pickup`), "" otherwise. Optional: older persisted state. */
  pickedUpFrom?: string;
  /** Parking space this employee retrieved the client from (`UnParkedCall`), "" otherwise. */
  retrievedFrom?: string;
}

export interface TransferRecord {
  kind: "blind" | "attended";
  at: number;
  /** Extension (or channel name) of the transferer. */
  from: string;
  /** Dialled extension (blind) or extension of the target (attended). */
  to: string;
}

/** A parked client (res_parking `ParkedCall` → `UnParkedCall` / `ParkedCallTimeOut` / `ParkedCallGiveUp`). */
export interface ParkRecord {
  at: number;
  /** Uniqueid of the parked channel (the client's leg). */
  parkee: string;
  lot: string;
  space: string;
  /** Extension of the employee who parked the call ("" when unknown). */
  parker: string;
  endedAt: number;
  /** "" while parked, then retrieved | timeout | giveup. */
  outcome: "" | "retrieved" | "timeout" | "giveup";
  /** Extension that took the call from the slot (retrieved). */
  retriever: string;
  /** An employee was talking to the client when it was parked: the park counts as hold (talk time). */
  afterTalk: boolean;
}

/** The caller waiting in an app_queue queue (QueueCallerJoin → QueueCallerLeave). */
export interface QueueVisitRecord {
  queue: string;
  /** Uniqueid of the waiting channel. */
  caller: string;
  joinedAt: number;
  /** 0 while the caller waits. */
  leftAt: number;
  /** QueueCallerAbandon: the caller hung up while waiting. */
  abandoned: boolean;
}

/** A call pickup (`Pickup`): `by` answered the phone of `from` that was ringing. */
export interface PickupRecord {
  at: number;
  by: string;
  from: string;
}

export interface ClickToCallRecord {
  actionId: string;
  crmCallId: string;
  /** Originate Exten (the number the CRM asked to call). */
  exten: string;
  /** Originate Channel (PJSIP/101, Local/101@from-internal). */
  channel: string;
  /** "Success" | "Failure" | "" (no OriginateResponse yet). */
  response: string;
  /** OriginateResponse Reason, -1 while unknown. */
  reason: number;
}

export interface CallRecord {
  key: string;
  linkedids: string[];
  createdAt: number;
  lastEventAt: number;
  /** Channels by uniqueid (ended ones stay: they are the call's history). */
  channels: Record<string, ChannelRecord>;
  /** Uniqueids in order of creation. */
  order: string[];
  /** Channels not yet hung up. */
  live: number;
  conversations: Record<string, ConversationRecord>;
  convOrder: string[];
  record: string;
  records: string[];
  did: string;
  clickToCall: ClickToCallRecord | null;
  transfers: TransferRecord[];
  mergedFrom: string[];
  /** Extension of a blind transferer whose target has not rung yet. */
  pendingTransferFrom: string;
  /** Parks of the client (optional: state persisted before parking was tracked has none). */
  parks?: ParkRecord[];
  pickups?: PickupRecord[];
  /** Queue visits of the caller, in order (optional: state persisted before they were tracked has none). */
  queueVisits?: QueueVisitRecord[];
  /** Voicemail messages left during the call (VM_MESSAGEFILE values, as the PBX set them). */
  voicemails?: string[];
  /** Index in `recordingVariables` of the variable `record` came from. */
  recordRank: number;
  /** Set when the call is closed (it is then removed from the state). */
  endedAt: number;
  endReason: string;
  mergedInto: string;
}

export interface PendingOriginate {
  actionId: string;
  at: number;
  channel: string;
  exten: string;
  crmCallId: string;
  channelId: string;
}

export interface RecentOriginated {
  at: number;
  callKey: string;
  names: string[];
  actionId: string;
  crmCallId: string;
}

export interface TrackerState {
  v: 1;
  calls: Record<string, CallRecord>;
  /** uniqueid → call key. Derived: `rebuildIndexes()` recomputes it from `calls`. */
  channelIndex: Record<string, string>;
  /** linkedid → call key. Derived. */
  linkedidIndex: Record<string, string>;
  /** bridge id → uniqueids in it now. Derived. */
  bridgeIndex: Record<string, string[]>;
  /** Originate actions we were told about, by ActionID, until their response. */
  originates: Record<string, PendingOriginate>;
  /** Click-to-call calls that ended recently (a late OriginateResponse must not start a new one). */
  recentOriginated: RecentOriginated[];
}

export function createTrackerState(): TrackerState {
  return {
    v: 1,
    calls: keyedRecord(),
    channelIndex: keyedRecord(),
    linkedidIndex: keyedRecord(),
    bridgeIndex: keyedRecord(),
    originates: keyedRecord(),
    recentOriginated: [],
  };
}

/**
 * Builds a state from persisted calls (e.g. read back from Redis) and recomputes every index.
 * `extra` carries the small global parts if they were persisted too.
 */
export function stateFromCalls(calls: Iterable<CallRecord>, extra?: Pick<TrackerState, "originates" | "recentOriginated">): TrackerState {
  const state = createTrackerState();
  for (const call of calls) state.calls[call.key] = call;
  if (extra) {
    state.originates = extra.originates;
    state.recentOriginated = extra.recentOriginated;
  }
  rebuildIndexes(state);
  return state;
}

/** Recomputes channelIndex, linkedidIndex and bridgeIndex from `state.calls`. */
export function rebuildIndexes(state: TrackerState): void {
  state.channelIndex = keyedRecord();
  state.linkedidIndex = keyedRecord();
  state.bridgeIndex = keyedRecord();
  for (const key in state.calls) {
    const call = state.calls[key]!;
    for (const l of call.linkedids) state.linkedidIndex[l] = key;
    for (const id of call.order) {
      const ch = call.channels[id]!;
      if (ch.movedTo) continue;
      state.channelIndex[id] = key;
      if (ch.endedAt === 0 && ch.bridge) (state.bridgeIndex[ch.bridge] ??= []).push(id);
    }
  }
}
