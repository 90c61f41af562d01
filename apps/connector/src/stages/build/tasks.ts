import type { B24Command } from "../../crm/port.js";
import { ufCrmTaskValue, type CrmEntityRef } from "./crm-binding.js";
import { deadlineAfter, formatB24DateTime, type TimeZoneSpec } from "./datetime.js";
import { renderTemplate } from "./template.js";
import type { Json } from "../../hooks/json.js";

/**
 * The "call the client back" task for a missed inbound or an unanswered outbound call
 * (tasks.task.add). The fields match the input of the Itgrix-compatible hook
 * `process_task_creation_params` (TITLE, RESPONSIBLE_ID, CREATED_BY, DEADLINE, UF_CRM_TASK), so the
 * pipeline can pass `fields` through the hook before sending.
 */

export interface MissedCallTaskConfig {
  /** Task creator (the connector's technical user / webhook owner). */
  createdBy: number;
  /** DEADLINE = now + this many minutes (default 60). */
  deadlineMinutes?: number;
  /** Zone the DEADLINE is written in (default: this process's zone). */
  timeZone?: TimeZoneSpec;
  /** Placeholders: {number} {name} {line} {time} {direction}. */
  titleTemplate?: string;
  descriptionTemplate?: string;
}

export interface MissedCallFacts {
  clientNumber: string;
  clientName?: string | undefined;
  /** Line name or DID. */
  line?: string | undefined;
  direction: "inbound" | "outbound";
  startedAt: Date;
  responsibleId: number;
  /** CRM entities to bind (UF_CRM_TASK), e.g. the contact and its open deal. */
  entities: CrmEntityRef[];
}

export interface TaskFields {
  TITLE: string;
  RESPONSIBLE_ID: number;
  CREATED_BY: number;
  DEADLINE: string;
  UF_CRM_TASK: string[];
  DESCRIPTION: string;
  /** Other tasks.task.add fields (a process_task_creation_params hook may add any JSON value). */
  [field: string]: Json | undefined;
}

export const DEFAULT_TASK_TITLES = {
  inbound: "Пропущенный звонок: {number}",
  outbound: "Неотвеченный исходящий звонок: {number}",
} as const;

export const DEFAULT_TASK_DESCRIPTION = "{direction} {time}\nКлиент: {number} {name}\nЛиния: {line}\nПерезвоните клиенту.";

export function buildMissedCallTask(facts: MissedCallFacts, config: MissedCallTaskConfig, now: Date): B24Command<{ fields: TaskFields }> {
  const values = {
    number: facts.clientNumber,
    name: facts.clientName ?? "",
    line: facts.line ?? "",
    time: formatB24DateTime(facts.startedAt, config.timeZone),
    direction: facts.direction === "inbound" ? "Пропущенный входящий звонок" : "Неотвеченный исходящий звонок",
  };
  const title = renderTemplate(config.titleTemplate ?? DEFAULT_TASK_TITLES[facts.direction], values)
    .replace(/\s+/g, " ")
    .trim();
  const description = renderTemplate(config.descriptionTemplate ?? DEFAULT_TASK_DESCRIPTION, values)
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n");
  const bindings = [...new Set(facts.entities.map(ufCrmTaskValue))];
  return {
    method: "tasks.task.add",
    params: {
      fields: {
        TITLE: title,
        RESPONSIBLE_ID: facts.responsibleId,
        CREATED_BY: config.createdBy,
        DEADLINE: deadlineAfter(now, config.deadlineMinutes ?? 60, config.timeZone),
        UF_CRM_TASK: bindings,
        DESCRIPTION: description,
      },
    },
  };
}
