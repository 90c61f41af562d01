import { checkTimezone, wallClockToUtc } from "../cel/time.js";
import { zoneOffsetMinutes } from "../time-zone.js";

/**
 * Periods of the figures in the configured time zone: `today` (local midnight → now), `7d`
 * (the last seven local days including today), or `from`/`to` local dates (YYYY-MM-DD, both
 * included) or ISO instants with an offset.
 */

export class FiguresQueryError extends Error {
  override name = "FiguresQueryError";
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Period {
  fromMs: number;
  toMs: number;
  /** today | 7d | custom */
  kind: string;
}

const FIXED = /^(?:UTC|Z|[+-]\d{2}:?\d{2})$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const MAX_DAYS = 400;

/** Local wall-clock fields of `ms` in `zone`. */
function local(ms: number, zone: string): { y: number; mo: number; d: number; h: number } {
  let off: number;
  if (/^utc$|^z$/i.test(zone)) off = 0;
  else if (FIXED.test(zone)) {
    const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    off = (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  } else off = zoneOffsetMinutes(zone, ms);
  const t = new Date(ms + off * 60_000);
  return { y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate(), h: t.getUTCHours() };
}

export function startOfLocalDay(ms: number, zone: string): number {
  const p = local(ms, zone);
  return wallClockToUtc([p.y, p.mo, p.d, 0, 0, 0, 0], zone);
}

export function bucketStart(ms: number, bucket: "hour" | "day", zone: string): number {
  if (bucket === "day") return startOfLocalDay(ms, zone);
  const p = local(ms, zone);
  const start = wallClockToUtc([p.y, p.mo, p.d, p.h, 0, 0, 0], zone);
  return start > ms ? ms - (ms % 3600_000) : start;
}

export function bucketStarts(fromMs: number, toMs: number, bucket: "hour" | "day", zone: string): number[] {
  const out: number[] = [];
  let t = bucketStart(fromMs, bucket, zone);
  const step = bucket === "day" ? 36 * 3600_000 : 90 * 60_000;
  while (t <= toMs && out.length < 24 * MAX_DAYS) {
    out.push(t);
    const next = bucketStart(t + step, bucket, zone);
    t = next > t ? next : t + (bucket === "day" ? 86_400_000 : 3600_000);
  }
  return out;
}

function dateStart(value: string, parameter: string, zone: string): number {
  const m = DATE.exec(value);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const check = new Date(Date.UTC(y, mo - 1, d));
    if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) throw new FiguresQueryError(parameter, `${parameter}: ${value} is not a date`);
    return wallClockToUtc([y, mo, d, 0, 0, 0, 0], zone);
  }
  if (INSTANT.test(value) && Number.isFinite(Date.parse(value))) return Date.parse(value);
  throw new FiguresQueryError(parameter, `${parameter}: expected a date YYYY-MM-DD or an ISO time with an offset, got ${JSON.stringify(value)}`);
}

/** Throws FiguresQueryError (naming the parameter) for a period it cannot read. */
export function resolvePeriod(query: { period?: unknown; from?: unknown; to?: unknown }, zone: string, now: number): Period {
  const str = (v: unknown, name: string): string | undefined => {
    if (v === undefined || v === "") return undefined;
    if (typeof v !== "string") throw new FiguresQueryError(name, `${name}: give it once, as text`);
    return v;
  };
  const from = str(query.from, "from");
  const to = str(query.to, "to");
  const period = str(query.period, "period") ?? (from || to ? "custom" : "today");
  const today = startOfLocalDay(now, zone);
  if (period === "today") return { fromMs: today, toMs: now, kind: "today" };
  if (period === "7d") return { fromMs: startOfLocalDay(today - 6 * 86_400_000 + 12 * 3600_000, zone), toMs: now, kind: "7d" };
  if (period !== "custom") throw new FiguresQueryError("period", `period: expected today, 7d or custom, got ${JSON.stringify(period)}`);
  if (!from) throw new FiguresQueryError("from", "from: required for a custom period (YYYY-MM-DD)");
  const fromMs = dateStart(from, "from", zone);
  let toMs = now;
  if (to) {
    toMs = DATE.test(to) ? startOfLocalDay(dateStart(to, "to", zone) + 36 * 3600_000, zone) - 1 : dateStart(to, "to", zone);
  }
  if (toMs < fromMs) throw new FiguresQueryError("to", "to: before from");
  if (toMs - fromMs > MAX_DAYS * 86_400_000) throw new FiguresQueryError("to", `to: a period of at most ${MAX_DAYS} days`);
  return { fromMs, toMs, kind: "custom" };
}

/** The zone the figures use: figures.timeZone, else the CEL zone, else this machine's. */
export function figuresZone(configured: string | undefined, celZone: string | undefined): string {
  const zone = configured || celZone || Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  checkTimezone(zone);
  return zone;
}
