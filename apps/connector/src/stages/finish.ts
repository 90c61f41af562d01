import { chooseResponsible, type ConversationFact, type ResponsibleResult } from "./build/responsible.js";
import { statusCodeFor } from "./build/status-code.js";
import { outcomeOf, sendChain } from "./crm-requests.js";
import { clientPhone, userFor } from "./lookup.js";
import { crmCallIndexFor } from "./register-dedup.js";
import type { StageStep } from "./step.js";

/** What the responsible rules say about a call, and whether a CRM manager took part in it at all. */
export interface ResponsiblePick extends ResponsibleResult {
  /** A Bitrix24 user's phone rang or answered (the call has someone it belongs to). */
  crmUserTookPart: boolean;
}

/** The responsible rules over the call as it is now (entity owner looked up in mode 0). */
export async function pickResponsible(step: StageStep): Promise<ResponsiblePick> {
  const { call, cfg, deps } = step;
  const convs: ConversationFact[] = [];
  for (const id of Object.keys(call.conversations)) {
    const c = call.conversations[id]!;
    const user = c.excluded ? undefined : await userFor(step, c.extension);
    convs.push({ userId: user?.id, answered: c.was_accepted, nonCrm: c.excluded });
  }
  const answered = convs.some((c) => c.answered && !c.nonCrm && c.userId);
  let entityOwnerId: number | undefined;
  if (!answered && cfg.responsible.mode === 0) entityOwnerId = await entityOwner(step);
  const pick = chooseResponsible(
    { answered, conversations: convs, entityOwnerId, line: call.line_number, isActive: (id) => deps.users.isActive(id) },
    { mode: cfg.responsible.mode, rangBeforeOwner: cfg.responsible.rangBeforeOwner, defaultUserId: cfg.responsible.defaultUserId, defaultUserByLine: cfg.responsible.byLine },
  );
  return { ...pick, crmUserTookPart: convs.some((c) => !c.nonCrm && c.userId !== undefined) };
}

/** The Bitrix24 user the call belongs to at finish (responsible rules; else who registered it). */
export async function responsibleFor(step: StageStep): Promise<number | undefined> {
  return (await pickResponsible(step)).userId ?? step.crm.registeredUserId;
}

type FoundEntity = { CRM_ENTITY_TYPE?: string; CRM_ENTITY_ID?: number; ASSIGNED_BY_ID?: number | string };

/** ASSIGNED_BY_ID of the client's CRM entity (searchCrmEntities by the client number). */
export async function entityOwner(step: StageStep): Promise<number | undefined> {
  const { deps, crm } = step;
  if (!step.call.client_number) return undefined;
  const res = await sendChain(deps.gateway, deps.journal, step.callKey, step.id("owner"), [
    { name: "search", method: "telephony.externalcall.searchCrmEntities", params: { PHONE_NUMBER: await clientPhone(step) } },
  ]);
  const found = outcomeOf<FoundEntity[]>(res, "search");
  if (!found?.ok || !Array.isArray(found.value) || found.value.length === 0) return undefined;
  const first = found.value[0]!;
  if (!crm.entityType && first.CRM_ENTITY_TYPE && first.CRM_ENTITY_ID) {
    crm.entityType = first.CRM_ENTITY_TYPE;
    crm.entityId = Number(first.CRM_ENTITY_ID);
  }
  const owner = Number(first.ASSIGNED_BY_ID);
  return Number.isInteger(owner) && owner > 0 ? owner : undefined;
}

export interface Finished {
  activityId?: number;
  statusCode: string;
  duration: number;
}

/** telephony.externalcall.finish (after process_final_params); undefined = cancelled or refused. */
export async function finishCall(step: StageStep, responsible: number): Promise<Finished | undefined> {
  const { deps, crm, call, callKey } = step;
  const base = {
    CALL_ID: crm.crmCallId!,
    USER_ID: responsible,
    DURATION: call.talk_seconds,
    STATUS_CODE: statusCodeFor(call),
    ADD_TO_CHAT: (step.cfg.product.addToChat ? 1 : 0) as 0 | 1,
  };
  let params: Record<string, unknown> = base;
  if (deps.hooks.isEnabled("process_final_params")) {
    const r = await deps.hooks.run("process_final_params", { ...base, call_full: step.hookCall() });
    if (r.outcome === "cancelled") {
      await deps.journal.update(callKey, { status: "cancelled", reason: "finish cancelled by customization" });
      return undefined;
    }
    if (r.outcome === "applied") params = { ...base, ...r.data, CALL_ID: crm.crmCallId! };
  }
  const res = await sendChain(deps.gateway, deps.journal, callKey, step.id("finish"), [{ name: "finish", method: "telephony.externalcall.finish", params }], step.stage);
  const fin = outcomeOf<{ CRM_ACTIVITY_ID?: number | null }>(res, "finish");
  await crmCallIndexFor(deps).release(crm.crmCallId!);
  if (!fin?.ok) {
    const text = fin ? fin.error.description || fin.error.message : "no answer";
    await deps.journal.fail(callKey, `finish refused: ${text}`);
    return undefined;
  }
  const activity = fin.value.CRM_ACTIVITY_ID;
  return { ...(activity ? { activityId: Number(activity) } : {}), statusCode: String(params.STATUS_CODE), duration: Number(params.DURATION) };
}
