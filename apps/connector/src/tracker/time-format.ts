import { ZERO_TIME, type DateTimeString } from "./call-full.js";

const p2 = (n: number): string => (n < 10 ? "0" + n : String(n));

/** ms → "YYYY-MM-DD HH:MM:SS" (with a fixed offset); 0 → the Itgrix zero date. */
export function formatTime(ms: number, utcOffsetMinutes: number): DateTimeString {
  if (!ms) return ZERO_TIME;
  const d = new Date(ms + utcOffsetMinutes * 60_000);
  if (Number.isNaN(d.getTime())) return ZERO_TIME;
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}
