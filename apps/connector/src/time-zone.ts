/**
 * The offset of an IANA time zone at an instant, from the runtime's own zone data (Intl). Used
 * where the PBX or the portal writes local times: CEL/CDR rows (cel/time.ts) and Bitrix24
 * date-times (stages/build/datetime.ts). One formatter per zone, kept: Intl formatters are costly.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Offset of `zone` at the instant `utcMs`, minutes east of UTC. Throws RangeError for an unknown zone. */
export function zoneOffsetMinutes(zone: string, utcMs: number): number {
  const p: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(new Date(utcMs))) if (part.type !== "literal") p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
}
