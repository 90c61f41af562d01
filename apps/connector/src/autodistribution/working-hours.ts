/** Working hours in a named time zone: {"mon": ["09:00-13:00", "14:00-18:00"], …}. */

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof DAYS)[number];

export interface WorkingHours {
  timezone: string;
  days: Partial<Record<Weekday, string[]>>;
}

/** Local weekday and minute of the day of `at` in `timezone`. */
export function localTime(at: Date, timezone: string): { day: Weekday; minute: number } {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: timezone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  const day = get("weekday").toLowerCase().slice(0, 3) as Weekday;
  return { day, minute: Number(get("hour")) * 60 + Number(get("minute")) };
}

export function withinWorkingHours(hours: WorkingHours, at: Date): boolean {
  const { day, minute } = localTime(at, hours.timezone);
  for (const range of hours.days[day] ?? []) {
    const [from, to] = range.split("-").map((hm) => {
      const [h, m] = hm.split(":").map(Number);
      return h! * 60 + m!;
    });
    if (minute >= from! && minute < to!) return true;
  }
  return false;
}

/** Throws RangeError for an unknown zone (checked at start, not per call). */
export function checkTimezone(timezone: string): void {
  new Intl.DateTimeFormat("en-US", { timeZone: timezone });
}

export { DAYS };
