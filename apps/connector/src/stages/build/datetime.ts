/**
 * Bitrix24 date-times: `YYYY-MM-DDThh:mm:ss±hh:mm` (bitrix24-rest.md §7). Written in the portal's
 * time zone so a deadline reads the same in the UI as in the logs.
 */
import { zoneOffsetMinutes } from "../../time-zone.js";

/** IANA zone name (`"Europe/Moscow"`), a fixed offset in minutes east of UTC, or undefined = this process's zone. */
export type TimeZoneSpec = string | { offsetMinutes: number } | undefined;

const pad = (n: number, width = 2) => String(Math.trunc(Math.abs(n))).padStart(width, "0");

/** Offset of `zone` at `date`, minutes east of UTC. */
export function offsetMinutesAt(date: Date, zone: TimeZoneSpec): number {
  if (zone === undefined) return -date.getTimezoneOffset();
  if (typeof zone === "object") return zone.offsetMinutes;
  return zoneOffsetMinutes(zone, date.getTime());
}

/** `2026-03-07T10:20:30+03:00` — seconds precision, explicit offset. */
export function formatB24DateTime(date: Date, zone?: TimeZoneSpec): string {
  const offset = offsetMinutesAt(date, zone);
  const local = new Date(date.getTime() + offset * 60_000);
  const sign = offset < 0 ? "-" : "+";
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    `${sign}${pad(Math.abs(offset) / 60)}:${pad(Math.abs(offset) % 60)}`
  );
}

/** `now + minutes`, formatted. */
export function deadlineAfter(now: Date, minutes: number, zone?: TimeZoneSpec): string {
  return formatB24DateTime(new Date(now.getTime() + minutes * 60_000), zone);
}
