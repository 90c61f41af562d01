/**
 * Times as Asterisk stores them: "YYYY-MM-DD HH:MM:SS[.ffffff]" without a zone (MySQL datetime,
 * PostgreSQL timestamp, CSV), with an offset (PostgreSQL timestamptz text), epoch seconds
 * ("1795257541.086349": cel-custom without `dateformat`), or a Date from a driver.
 * `timezone` says where zone-less times were written: "UTC", "+03:00", or an IANA name.
 */
import { zoneOffsetMinutes } from "../time-zone.js";

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const EPOCH = /^\d{9,11}(?:\.\d+)?$/;
const OFFSET = /^([+-])(\d{2}):?(\d{2})?$/;

export class CelTimeError extends Error {
  constructor(value: string) {
    super(`not a CEL/CDR time: ${JSON.stringify(value)}`);
    this.name = "CelTimeError";
  }
}

function offsetMinutes(spec: string): number | undefined {
  if (spec === "Z" || spec.toUpperCase() === "UTC" || spec.toUpperCase() === "GMT") return 0;
  const m = OFFSET.exec(spec);
  if (!m) return undefined;
  const v = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === "-" ? -v : v;
}

/** Throws when the zone is neither UTC, an offset nor a zone this Node knows. */
export function checkTimezone(zone: string): void {
  if (offsetMinutes(zone) !== undefined) return;
  try {
    zoneOffsetMinutes(zone, 0);
  } catch {
    throw new Error(`unknown time zone ${JSON.stringify(zone)} (use "UTC", "+03:00" or an IANA name like "Europe/Moscow")`);
  }
}

/** Epoch ms of wall-clock fields written in `zone`. */
export function wallClockToUtc(fields: [number, number, number, number, number, number, number], zone: string): number {
  const [y, mo, d, h, mi, s, ms] = fields;
  const naive = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const fixed = offsetMinutes(zone);
  if (fixed !== undefined) return naive - fixed * 60_000;
  // Two passes settle DST edges: the offset at the guessed instant, then at the corrected one.
  let guess = naive - zoneOffsetMinutes(zone, naive) * 60_000;
  guess = naive - zoneOffsetMinutes(zone, guess) * 60_000;
  return guess;
}

export function parseCelTime(value: string | Date | number, zone: string): Date {
  if (value instanceof Date) return value;
  if (typeof value === "number") return new Date(value * 1000);
  const s = value.trim();
  if (EPOCH.test(s)) return new Date(Math.round(Number(s) * 1000));
  const m = LOCAL.exec(s);
  if (!m) throw new CelTimeError(value);
  const frac = m[7] ? Number(m[7].slice(0, 3).padEnd(3, "0")) : 0;
  const fields: [number, number, number, number, number, number, number] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), frac];
  if (m[8]) {
    const off = offsetMinutes(m[8])!;
    const [y, mo, d, h, mi, sec, ms] = fields;
    return new Date(Date.UTC(y, mo - 1, d, h, mi, sec, ms) - off * 60_000);
  }
  return new Date(wallClockToUtc(fields, zone));
}

/** "YYYY-MM-DD HH:MM:SS.mmm" of an instant, as wall-clock time in `zone` (for SQL bounds). */
export function formatWallClock(date: Date, zone: string): string {
  const fixed = offsetMinutes(zone);
  const off = fixed ?? zoneOffsetMinutes(zone, date.getTime());
  const t = new Date(date.getTime() + off * 60_000);
  return t.toISOString().replace("T", " ").replace("Z", "");
}
