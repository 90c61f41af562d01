import { ZERO_TIME, type DateTimeString } from "./call-full.js";

const p2 = (n: number): string => (n < 10 ? "0" + n : String(n));
const DAY_MS = 86_400_000;
/** Largest time a Date holds (ECMAScript time value range). */
const MAX_TIME = 8.64e15;

// Every snapshot formats the same few days over and over: the "YYYY-MM-DD " of the last day is
// kept (a memo: the result depends only on the arguments) and the time of day is plain arithmetic.
let memoDay = -1;
let memoPrefix = "";

function dayPrefix(day: number): string {
  if (day !== memoDay) {
    const d = new Date(day * DAY_MS);
    memoPrefix = `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} `;
    memoDay = day;
  }
  return memoPrefix;
}

/** ms → "YYYY-MM-DD HH:MM:SS" (with a fixed offset); 0 → the Itgrix zero date. */
export function formatTime(ms: number, utcOffsetMinutes: number): DateTimeString {
  if (!ms) return ZERO_TIME;
  const t = ms + utcOffsetMinutes * 60_000;
  if (!(t >= 0 && t <= MAX_TIME)) {
    // Before 1970, out of range or NaN: the general path.
    const d = new Date(t);
    if (Number.isNaN(d.getTime())) return ZERO_TIME;
    return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  }
  // A Date truncates fractional ms; for t ≥ 0 that is floor.
  const day = Math.floor(t / DAY_MS);
  let s = Math.floor((t - day * DAY_MS) / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return dayPrefix(day) + p2(h) + ":" + p2(m) + ":" + p2(s);
}
