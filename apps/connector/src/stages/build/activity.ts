import type { B24Command } from "../../crm/port.js";
import type { CallDirection } from "./status-code.js";
import { deadlineAfter, type TimeZoneSpec } from "./datetime.js";

/**
 * After `finish`, Bitrix24 has created the call activity; some contact centres want it changed
 * for chosen kinds of call: a custom deadline ("call back within 30 minutes" on missed calls)
 * and/or marked completed (answered calls need no follow-up). Builds the crm.activity.update.
 *
 * About the deadline: Bitrix24 does not take DEADLINE directly for call activities — it derives it
 * from START_TIME (calls, meetings) or END_TIME (tasks); its own example sets START_TIME and
 * END_TIME together. `deadlineFields` says which fields get the date (default both); setting
 * START_TIME moves the time the activity shows in the timeline.
 */

export type CallKind = "inbound-answered" | "inbound-missed" | "outbound-answered" | "outbound-unanswered" | "ivr-missed";

/** `statusCode`: the finish STATUS_CODE sent (a hook may have changed it); anything but "200" is not answered. */
export function callKind(direction: CallDirection, statusCode: string, ivr = false): CallKind {
  if (statusCode === "200") return direction === "inbound" ? "inbound-answered" : "outbound-answered";
  if (direction === "inbound") return ivr ? "ivr-missed" : "inbound-missed";
  return "outbound-unanswered";
}

export interface ActivityRules {
  /** Deadline = now + minutes, per kind of call (kinds not listed: unchanged). */
  deadlineMinutes?: Partial<Record<CallKind, number>>;
  /** Kinds of call whose activity is closed (COMPLETED=Y). */
  complete?: CallKind[];
  deadlineFields?: Array<"START_TIME" | "END_TIME" | "DEADLINE">;
  timeZone?: TimeZoneSpec;
}

export interface ActivityUpdateParams extends Record<string, unknown> {
  id: number;
  fields: Record<string, string>;
}

/** The update for this activity, or undefined when the rules ask for nothing. */
export function buildActivityUpdate(activityId: number, kind: CallKind, rules: ActivityRules, now: Date): B24Command<ActivityUpdateParams> | undefined {
  const fields: Record<string, string> = {};
  const minutes = rules.deadlineMinutes?.[kind];
  if (minutes !== undefined) {
    const at = deadlineAfter(now, minutes, rules.timeZone);
    for (const field of rules.deadlineFields ?? ["START_TIME", "END_TIME"]) fields[field] = at;
  }
  if (rules.complete?.includes(kind)) fields.COMPLETED = "Y";
  if (Object.keys(fields).length === 0) return undefined;
  return { method: "crm.activity.update", params: { id: activityId, fields } };
}
