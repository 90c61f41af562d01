import { AmiMessage, type AmiField } from "@asterisk-b24/ami";
import type { Recording } from "../recordings/index.js";

export type AmiReplayStartMode = "onConnect" | "onOriginate";

/** One message of the replay stream. `index` is its position in the whole playlist. */
export interface PlayItem {
  message: AmiMessage;
  /** Recorded time within its recording (ms since the recorder connected). */
  t: number;
  /** Monotonic replay clock across recordings (ms), used for CoreShowChannels durations. */
  clock: number;
  /** Index of the recording in the playlist. */
  rec: number;
  /** The recorded Login response: never served (the live one comes from the server). */
  skip: boolean;
  /** First item after the recorded Originate: waits until a live Originate claims the segment. */
  originateWait: boolean;
}

export interface PlaylistSegment {
  name: string;
  /** First / one-past-last playlist index of this recording. */
  start: number;
  end: number;
  /** This recording waits for a live Originate (start mode onOriginate and it has one). */
  onOriginate: boolean;
  /** Index of the first item that waits for the Originate (onOriginate only). */
  split: number;
  /** The ActionID the recorder used for its Originate (rewritten to the live one). */
  recordedOriginateId: string | undefined;
}

export interface Playlist {
  items: PlayItem[];
  segments: PlaylistSegment[];
}

/**
 * Flattens recordings into one stream. Item indexes of a single-recording playlist equal the
 * line numbers (0-based) of NAME.jsonl, so "drop at message N" means jsonl line N.
 */
export function buildPlaylist(recordings: readonly Recording[], startMode: AmiReplayStartMode): Playlist {
  const items: PlayItem[] = [];
  const segments: PlaylistSegment[] = [];
  let clockOffset = 0;
  recordings.forEach((rec, recIndex) => {
    const loginId = rec.actions.find((a) => a.message.get("Action")?.toLowerCase() === "login")?.message.actionId;
    const originate = rec.actions.find((a) => a.message.get("Action")?.toLowerCase() === "originate");
    const onOriginate = startMode === "onOriginate" && originate !== undefined;
    const recordedOriginateId = onOriginate ? originate.message.actionId : undefined;
    const start = items.length;
    let split = -1;
    let lastT = 0;
    rec.messages.forEach(({ t, message }, i) => {
      const skip = i === 0 && loginId !== undefined && message.response !== undefined && message.actionId === loginId;
      let originateWait = false;
      if (onOriginate && split < 0 && (t >= originate.t || (recordedOriginateId !== undefined && message.actionId === recordedOriginateId))) {
        split = items.length;
        originateWait = true;
      }
      items.push({ message, t, clock: clockOffset + t, rec: recIndex, skip, originateWait });
      lastT = t;
    });
    segments.push({ name: rec.name, start, end: items.length, onOriginate: onOriginate && split >= 0, split, recordedOriginateId });
    clockOffset += lastT + 1000;
  });
  return { items, segments };
}

/** Copy of a message with its ActionID replaced (removed when `actionId` is undefined). */
export function withActionId(message: AmiMessage, actionId: string | undefined): AmiMessage {
  const fields: AmiField[] = [];
  for (const f of message.fields) {
    if (f[0].toLowerCase() === "actionid") {
      if (actionId !== undefined) fields.push([f[0], actionId]);
    } else fields.push(f);
  }
  return new AmiMessage(fields);
}

const ID_KEY_RE = /(uniqueid|linkedid)$/i;
const ID_VALUE_RE = /^(\d+)\.(\d+)$/;

/**
 * Copy of a message whose Uniqueid/Linkedid-like values (`<epoch>.<n>`, any prefix such as
 * `DestUniqueid`, `BridgeUniqueid` is left alone unless it has that shape) are moved forward by
 * `pass` × 1,000,000 s, so every pass of a looping replay looks like new calls to a tracker.
 */
export function withShiftedIds(message: AmiMessage, pass: number): AmiMessage {
  if (pass === 0) return message;
  return new AmiMessage(
    message.fields.map(([k, v]) => {
      if (!ID_KEY_RE.test(k)) return [k, v];
      const m = ID_VALUE_RE.exec(v);
      return m ? [k, `${Number(m[1]) + pass * 1_000_000}.${m[2]}`] : [k, v];
    }),
  );
}
