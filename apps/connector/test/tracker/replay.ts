/** Test helpers: replay a recording (or a hand-written message list) through the tracker. */
import { AmiMessage } from "@asterisk-b24/ami";
import { loadRecording, type TimedMessage } from "@asterisk-b24/testkit";
import { createTrackerState, reconcile, track, type StageEvent, type TrackerConfig, type TrackerState, type CallFull } from "../../src/tracker/index.js";

/** The lab PBX of the recordings: support queue 601 with 501/502 is not in the CRM. */
export const LAB_CONFIG: Partial<TrackerConfig> = { nonCrmQueues: ["support", "601"], nonCrmExtensions: ["501", "502"] };

export interface Replay {
  state: TrackerState;
  events: StageEvent[];
  /** The last call_ended snapshot per call key. */
  ended: Map<string, CallFull>;
  diagnostics: number;
}

/** Epoch ms of the recording's t = 0, from the first Uniqueid (epoch seconds) and its t. */
export function epochBase(messages: readonly TimedMessage[]): number {
  for (const { t, message } of messages) {
    if (message.event === "Newchannel") {
      const uid = message.get("Uniqueid") ?? "";
      const secs = Number(uid.split(".")[0]);
      if (Number.isFinite(secs)) return secs * 1000 + 500 - t;
    }
  }
  return 0;
}

export function feed(r: Replay, messages: readonly TimedMessage[], base: number, config: Partial<TrackerConfig>): void {
  for (const { t, message } of messages) {
    const out = track(r.state, message, base + t, config);
    r.diagnostics += out.diagnostics.length;
    for (const e of out.events) {
      r.events.push(e);
      if (e.stage === "call_ended") r.ended.set(e.callKey, e.call);
    }
  }
}

export function newReplay(): Replay {
  return { state: createTrackerState(), events: [], ended: new Map(), diagnostics: 0 };
}

/** Recording messages, optionally with the recorder's Originate actions merged in by time. */
export function recordingInput(name: string, withActions = false): { messages: TimedMessage[]; base: number } {
  const rec = loadRecording(name);
  let messages = rec.messages;
  if (withActions) {
    const originates = rec.actions.filter((a) => a.message.get("Action") === "Originate");
    messages = [...messages, ...originates].sort((a, b) => a.t - b.t);
  }
  return { messages, base: epochBase(rec.messages) };
}

export function replayRecording(name: string, config: Partial<TrackerConfig> = LAB_CONFIG, withActions = false): Replay {
  const { messages, base } = recordingInput(name, withActions);
  const r = newReplay();
  feed(r, messages, base, config);
  return r;
}

/** Compact stage list: "conversation_requested 101", "call_ended". */
export function stageList(events: readonly StageEvent[], callKey?: string): string[] {
  return events
    .filter((e) => callKey === undefined || e.callKey === callKey)
    .map((e) => (e.stage === "call_ended" ? "call_ended" : `${e.stage} ${e.call.conversations[e.conversationId]?.extension ?? "?"}`));
}

export function onlyCall(r: Replay): CallFull {
  const calls = [...r.ended.values()];
  if (calls.length !== 1) throw new Error(`expected one call, got ${calls.length}`);
  return calls[0]!;
}

/**
 * What `CoreShowChannels` would list after `messages` (an independent, simple model of
 * Asterisk's channel table: Newchannel adds, Hangup removes, events refresh state/linkedid/bridge).
 */
export function liveChannelsAfter(messages: readonly TimedMessage[]): AmiMessage[] {
  interface Row {
    fields: Record<string, string>;
    createdT: number;
  }
  const rows = new Map<string, Row>();
  let lastT = 0;
  for (const { t, message: m } of messages) {
    lastT = t;
    const ev = m.event;
    const uid = m.get("Uniqueid");
    if (ev === "Newchannel" && uid) {
      rows.set(uid, {
        createdT: t,
        fields: {
          Channel: m.get("Channel") ?? "",
          Uniqueid: uid,
          Linkedid: m.get("Linkedid") ?? uid,
          ChannelState: m.get("ChannelState") ?? "0",
          ChannelStateDesc: m.get("ChannelStateDesc") ?? "Down",
          CallerIDNum: m.get("CallerIDNum") ?? "",
          CallerIDName: m.get("CallerIDName") ?? "",
          ConnectedLineNum: m.get("ConnectedLineNum") ?? "",
          Context: m.get("Context") ?? "",
          Exten: m.get("Exten") ?? "",
          BridgeId: "",
          Application: "",
        },
      });
      continue;
    }
    if (!uid || ev === "Cdr" || ev === "OriginateResponse") continue;
    const row = rows.get(uid);
    if (!row) continue;
    if (ev === "Hangup") {
      rows.delete(uid);
      continue;
    }
    const lid = m.get("Linkedid");
    if (lid) row.fields.Linkedid = lid;
    const st = m.get("ChannelState");
    if (st) {
      row.fields.ChannelState = st;
      row.fields.ChannelStateDesc = m.get("ChannelStateDesc") ?? "";
    }
    if (ev === "BridgeEnter") row.fields.BridgeId = m.get("BridgeUniqueid") ?? "";
    if (ev === "BridgeLeave" && row.fields.BridgeId === m.get("BridgeUniqueid")) row.fields.BridgeId = "";
  }
  const pad = (n: number) => String(n).padStart(2, "0");
  return [...rows.values()].map((r) => {
    const s = Math.floor((lastT - r.createdT) / 1000);
    const dur = `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
    return AmiMessage.from({ Event: "CoreShowChannel", ...r.fields, Duration: dur });
  });
}

/** Replays with the AMI link down between messages [from, to): reconcile at `to`, then continue. */
export function replayWithGap(name: string, from: number, to: number, config: Partial<TrackerConfig> = LAB_CONFIG): Replay {
  const { messages, base } = recordingInput(name);
  const r = newReplay();
  feed(r, messages.slice(0, from), base, config);
  const until = Math.min(to, messages.length);
  const at = base + (messages[until - 1]?.t ?? 0);
  const out = reconcile(r.state, liveChannelsAfter(messages.slice(0, until)), at, config);
  for (const e of out.events) {
    r.events.push(e);
    if (e.stage === "call_ended") r.ended.set(e.callKey, e.call);
  }
  feed(r, messages.slice(until), base, config);
  return r;
}
