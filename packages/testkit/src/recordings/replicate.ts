import { AmiMessage, type AmiField } from "@asterisk-b24/ami";
import type { Recording, TimedMessage } from "./types.js";

const ID_KEY = /(uniqueid|linkedid)$/i;
const ID_VALUE = /^(\d+)\.(\d+)$/;
const CHANNEL_KEY = /channel$/i;
const CHANNEL_SUFFIX = /-([0-9a-f]{8})(;[12])?$/;

/** Copy `i`'s view of one header value: ids, channel names and bridge ids made unique per copy. */
function shiftValue(key: string, value: string, i: number): string {
  if (i === 0) return value;
  if (/bridgeuniqueid$/i.test(key)) return value ? `${value}-c${i}` : value;
  if (ID_KEY.test(key)) {
    const m = ID_VALUE.exec(value);
    return m ? `${Number(m[1]) + i * 100_000}.${m[2]}` : value;
  }
  if (CHANNEL_KEY.test(key) || key === "Channel") {
    return value.replace(CHANNEL_SUFFIX, (_all, hex: string, half: string | undefined) => `-${(parseInt(hex, 16) + i * 256).toString(16).padStart(8, "0")}${half ?? ""}`);
  }
  return value;
}

/**
 * Load for benchmarks: `copies` copies of one recorded call, each with its own Uniqueids,
 * Linkedids, channel names and bridges, starting `spacingMs` apart and interleaved in time,
 * as if that many such calls came in one after another. The Login response is kept once.
 */
export function replicateRecording(rec: Recording, copies: number, spacingMs: number): Recording {
  const [login, ...rest] = rec.messages;
  const all: TimedMessage[] = [];
  for (let i = 0; i < copies; i++) {
    for (const { t, message } of rest) {
      const fields: AmiField[] = message.fields.map(([k, v]) => [k, shiftValue(k, v, i)] as const);
      all.push({ t: t + i * spacingMs, message: new AmiMessage(fields) });
    }
  }
  all.sort((a, b) => a.t - b.t);
  return { ...rec, name: `${rec.name}x${copies}`, messages: login ? [login, ...all] : all };
}
