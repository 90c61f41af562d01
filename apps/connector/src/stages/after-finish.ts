import { buildActivityUpdate, callKind } from "./build/activity.js";
import { crmRef } from "./build/crm-binding.js";
import { buildUnreachedNotice } from "./build/notices.js";
import { buildMissedCallTask } from "./build/tasks.js";
import { sendChain } from "./crm-requests.js";
import { attachRecording } from "./record.js";
import type { StageStep } from "./step.js";

/**
 * What follows a finished call: the recording, the activity (deadline, completion,
 * customize_activity), the entity (customize_entity), the missed-call task and the notices.
 */
export async function afterFinish(step: StageStep, activityId: number | undefined, responsible: number, statusCode: string): Promise<void> {
  const { deps, cfg, call } = step;
  // Recording (never blocks the rest: a missing file is journalled as an error).
  if (cfg.recordings.enabled && (call.record || call.voicemails?.length || deps.recordingLookup)) {
    await attachRecording(step, activityId);
  }
  if (activityId) await updateActivity(step, activityId, responsible, statusCode);
  await updateEntity(step);
  const missed = statusCode !== "200";
  const task = cfg.extras.missedCallTask;
  if (missed && task.enabled && (call.direction === "inbound" || task.outbound)) await missedCallTask(step, responsible);
  if (missed && call.direction === "inbound" && cfg.extras.unreachedNotice.enabled) await unreachedNotices(step);
}

async function updateActivity(step: StageStep, activityId: number, responsible: number, statusCode: string): Promise<void> {
  const { deps, cfg, call } = step;
  const kind = callKind(call.direction === "outbound" ? "outbound" : "inbound", statusCode, call.is_ivr);
  const update = buildActivityUpdate(activityId, kind, { deadlineMinutes: cfg.extras.activity.deadlineMinutes, complete: cfg.extras.activity.complete }, step.now());
  let fields: Record<string, unknown> | undefined = update?.params.fields;
  if (deps.hooks.isEnabled("customize_activity")) {
    const r = await deps.hooks.run("customize_activity", {
      activity: { id: String(activityId), is_new: false, name: "", phones: [], raw: {}, responsible: {}, responsible_id: String(responsible), type: "activity" },
      call_full: step.hookCall(),
    });
    if (r.outcome === "applied") fields = { ...(fields ?? {}), ...r.data };
  }
  if (fields && Object.keys(fields).length > 0) {
    await sendChain(
      deps.gateway,
      deps.journal,
      step.callKey,
      step.id("activity"),
      [{ name: "act", method: "crm.activity.update", params: { id: activityId, fields } }],
      step.stage,
    );
  }
}

const ENTITY_UPDATE = new Map([
  ["LEAD", "crm.lead.update"],
  ["CONTACT", "crm.contact.update"],
  ["COMPANY", "crm.company.update"],
]);

async function updateEntity(step: StageStep): Promise<void> {
  const { deps, crm } = step;
  if (!crm.entityType || !crm.entityId || !deps.hooks.isEnabled("customize_entity")) return;
  const r = await deps.hooks.run("customize_entity", { call_full: step.hookCall() });
  const method = ENTITY_UPDATE.get(crm.entityType);
  if (r.outcome === "applied" && method && Object.keys(r.data).length > 0) {
    await sendChain(deps.gateway, deps.journal, step.callKey, step.id("entity"), [{ name: "ent", method, params: { id: crm.entityId, fields: r.data } }], step.stage);
  }
}

/** XML_ID of a call's missed-call task (one per call). */
export function missedCallTaskXmlId(callKey: string): string {
  return `asterisk-b24:missed:${callKey}`;
}

/** The "call the client back" task (after process_task_creation_params). */
export async function missedCallTask(step: StageStep, responsible: number): Promise<void> {
  const { deps, crm, call } = step;
  const cfg = step.cfg.extras.missedCallTask;
  const entity = crmRef(crm.entityType, crm.entityId);
  const cmd = buildMissedCallTask(
    {
      clientNumber: call.client_number,
      line: call.line_number,
      direction: call.direction === "outbound" ? "outbound" : "inbound",
      startedAt: new Date(call.started_at),
      responsibleId: responsible,
      entities: entity ? [entity] : [],
    },
    { createdBy: cfg.createdBy ?? responsible, deadlineMinutes: cfg.deadlineMinutes },
    step.now(),
  );
  let fields = cmd.params.fields;
  if (deps.hooks.isEnabled("process_task_creation_params")) {
    const r = await deps.hooks.run("process_task_creation_params", { fields, call_full: step.hookCall() });
    if (r.outcome === "cancelled") return;
    if (r.outcome === "applied") fields = { ...fields, ...r.data.fields };
  }
  // A stable external id: a task add whose answer was lost is found by it instead of added twice (decision 0006).
  if (fields.XML_ID === undefined || fields.XML_ID === null || fields.XML_ID === "") fields = { ...fields, XML_ID: missedCallTaskXmlId(step.callKey) };
  await sendChain(deps.gateway, deps.journal, step.callKey, step.id("task"), [{ name: "task", method: "tasks.task.add", params: { fields } }], step.stage);
}

/** Managers whose phone was dialled for this missed call but never rang (busy, unavailable…). */
export async function unreachedNotices(step: StageStep): Promise<void> {
  const { deps, crm, call } = step;
  const unreached = Object.values(call.conversations).filter((c) => !c.excluded && !c.was_accepted && ["unavailable", "busy", "rejected"].includes(c.end_reason));
  const commands = [];
  for (const c of unreached) {
    const uid = crm.users[c.extension];
    if (!uid) continue;
    const notice = buildUnreachedNotice({ userId: uid, clientNumber: call.client_number, extension: c.extension, reason: c.end_reason });
    commands.push({ name: `n${commands.length}`, ...notice });
  }
  if (commands.length) await sendChain(deps.gateway, deps.journal, step.callKey, step.id("notices"), commands, step.stage);
}
