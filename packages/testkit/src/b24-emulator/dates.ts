/**
 * Portal date handling: the portal answers in its own time zone with PHP `date('c')` strings
 * (`2026-03-10T11:19:38+03:00`, no fractions) and parses inputs leniently like `strtotime` (fact sheet §5.4, §7).
 */

function pad(n: number, w = 2): string {
  return String(Math.trunc(Math.abs(n))).padStart(w, "0");
}

/** `date('c')` for a millisecond timestamp in a fixed offset (minutes east of UTC). */
export function formatPortalDate(ms: number, tzOffsetMin: number): string {
  const d = new Date(ms + tzOffsetMin * 60_000);
  const sign = tzOffsetMin < 0 ? "-" : "+";
  const off = Math.abs(tzOffsetMin);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(off / 60))}:${pad(off % 60)}`
  );
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/**
 * Lenient date parsing in the spirit of PHP `strtotime`: ISO-8601 with or without `T`, seconds, fractions or zone;
 * `YYYY-MM-DD`; `DD.MM.YYYY [HH:MM[:SS]]`; `@<unix>`; `now`; RFC 2822 dates. A value without a zone is read in
 * the portal zone. Returns milliseconds or null when unparsable.
 */
export function parseLenientDate(input: string, nowMs: number, tzOffsetMin: number): number | null {
  const s = input.trim();
  if (s === "") return null;
  if (/^now$/i.test(s)) return nowMs;
  const at = /^@(-?\d+)$/.exec(s);
  if (at) return Number(at[1]) * 1000;

  const zoneMs = (z: string | undefined): number | null => {
    if (z === undefined || z === "") return null;
    if (/^z$/i.test(z) || /^utc$/i.test(z) || /^gmt$/i.test(z)) return 0;
    const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(z);
    if (!m) return NaN;
    const mins = Number(m[2]) * 60 + Number(m[3] ?? 0);
    return (m[1] === "-" ? -1 : 1) * mins * 60_000;
  };
  const build = (y: number, mo: number, d: number, h: number, mi: number, se: number, frac: string, z?: string): number | null => {
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || se > 60) return null;
    const local = Date.UTC(y, mo - 1, d, h, mi, se, frac ? Number(`0.${frac}`) * 1000 : 0);
    const off = zoneMs(z);
    if (off !== null && Number.isNaN(off)) return null;
    return local - (off ?? tzOffsetMin * 60_000);
  };

  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{2})?$/i.exec(s);
  if (iso) {
    return build(+iso[1]!, +iso[2]!, +iso[3]!, +(iso[4] ?? 0), +(iso[5] ?? 0), +(iso[6] ?? 0), iso[7] ?? "", iso[8]);
  }
  const ru = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (ru) return build(+ru[3]!, +ru[2]!, +ru[1]!, +(ru[4] ?? 0), +(ru[5] ?? 0), +(ru[6] ?? 0), "");
  // RFC 2822 / English month names: let the JS parser try, but only when a month name is present.
  if (MONTHS.some((m) => s.toLowerCase().includes(m))) {
    const t = Date.parse(s);
    if (!Number.isNaN(t)) return t;
  }
  return null;
}
