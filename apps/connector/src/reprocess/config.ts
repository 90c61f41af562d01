import { z } from "zod";

const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;

/** `{weekday, time, days}`: every `weekday` at `time` (local), over the previous `days` days. */
const weeklySchema = z.strictObject({
  weekday: z.enum(WEEKDAYS).default("sunday"),
  time: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM (24 h)")
    .default("02:00"),
  days: z.number().int().min(1).max(90).default(7),
  only: z.enum(["failed", "missing", "all"]).default("all"),
});

/** `{cron, days}`: a 5-field cron pattern (minute hour day month weekday), local time. */
const cronSchema = z.strictObject({
  cron: z.string().regex(/^\S+(\s+\S+){4,5}$/, 'a cron pattern such as "0 2 * * 0"'),
  days: z.number().int().min(1).max(90).default(7),
  only: z.enum(["failed", "missing", "all"]).default("all"),
});

/**
 * `reprocess`: finding and landing the calls the live pass missed (docs/reprocessing.md).
 * The schedule runs inside the connector (a BullMQ job scheduler: one runner across processes,
 * survives restarts); `false` turns it off.
 */
export const reprocessSchema = z.strictObject({
  schedule: z
    .union([
      z.literal(false),
      z
        .string()
        .regex(/^\S+(\s+\S+){4,5}$/, 'a cron pattern such as "0 2 * * 0"')
        .transform((cron) => ({ cron, days: 7, only: "all" as const })),
      cronSchema,
      weeklySchema,
    ])
    .default({ weekday: "sunday", time: "02:00", days: 7, only: "all" }),
  /** IANA zone of the schedule (default: the host's local zone). */
  timezone: z.string().min(1).optional(),
  /** Calls reprocessed at the same time (their Bitrix24 commands share batches). */
  concurrency: z.number().int().min(1).max(2000).default(200),
  /** Reprocessing batches in flight at once; live batches always go first (BullMQ priority). */
  lanes: z.number().int().min(1).max(64).default(2),
  /** A call still `in_progress` in the journal is left alone unless its last change is older than this. */
  inProgressGraceMinutes: z.number().int().min(1).default(60),
  /** Runs kept with their reports (newest first); older ones are dropped. */
  keepRuns: z.number().int().min(1).max(1000).default(60),
  /** Calls listed per report (fixed + to check); the counts always cover every call. */
  reportMaxCalls: z.number().int().min(10).max(100_000).default(5000),
  /** Missed-call tasks for a call landed days later (off: the client was called back or not, long ago). */
  missedCallTasks: z.boolean().default(false),
});

export type ReprocessConfig = z.infer<typeof reprocessSchema>;
export type ScheduleConfig = ReprocessConfig["schedule"];

/** The schedule as a cron pattern for BullMQ's job scheduler, or undefined when off. */
export function scheduleCron(schedule: ScheduleConfig): { pattern: string; days: number; only: "failed" | "missing" | "all" } | undefined {
  if (schedule === false) return undefined;
  if ("cron" in schedule) return { pattern: schedule.cron, days: schedule.days, only: schedule.only };
  const [h, m] = schedule.time.split(":").map(Number);
  return { pattern: `${m} ${h} * * ${WEEKDAYS.indexOf(schedule.weekday)}`, days: schedule.days, only: schedule.only };
}
