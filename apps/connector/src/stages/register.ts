import { formatB24DateTime } from "./build/datetime.js";
import { cardParams } from "./cards.js";
import { outcomeOf, sendChain } from "./crm-requests.js";
import { clientPhone } from "./lookup.js";
import type { StageStep } from "./step.js";
import { refuseUnknownNumber } from "./unknown-number.js";
import { claimRegistered, crmCallIndexFor, deferDeduplicated, registerRequestId, waitOutDedup } from "./register-dedup.js";
import type { CachedUser } from "../directory/users-cache.js";

/** CRM_SOURCE for the call's line (by line number, then DID, then "*"). */
export function crmSource(step: StageStep): string | undefined {
  const bySource = step.cfg.product.crmSourceByLine;
  return bySource[step.call.line_number] ?? bySource[step.call.did] ?? bySource["*"];
}

async function postRegistration(step: StageStep): Promise<void> {
  if (step.deps.hooks.isEnabled("post_registration")) await step.deps.hooks.run("post_registration", { call_full: step.hookCall(), call_stage: step.stage });
}

/** Adopts Bitrix24's own CALL_ID for a click-to-call (the portal registered it). */
export async function adoptPortalCall(step: StageStep): Promise<boolean> {
  const { crm, call } = step;
  const crmCallId = call.click_to_call?.crm_call_id;
  if (!crmCallId || crm.crmCallId) return !!crm.crmCallId;
  crm.crmCallId = crmCallId;
  crm.source = "portal";
  await crmCallIndexFor(step.deps).claim(crmCallId, step.callKey);
  await step.deps.journal.update(step.callKey, { crmCallId, clickToCall: "yes", direction: call.direction, clientNumber: call.client_number, lineNumber: call.line_number });
  await step.save();
  await postRegistration(step);
  return true;
}

type RegisterAnswer = { CALL_ID: string; CRM_ENTITY_TYPE?: string | null; CRM_ENTITY_ID?: number | null; CRM_CREATED_LEAD?: number | null };

/**
 * Registers the call for `user` (once per call). With `showTo`, the card is shown in the same
 * batch (`$result[reg][CALL_ID]`). Returns false when Bitrix24 refused or a hook cancelled.
 */
export async function register(step: StageStep, user: CachedUser, showTo?: number): Promise<boolean> {
  const { deps, crm, call, callKey } = step;
  if (crm.crmCallId) return true;
  if (await adoptPortalCall(step)) return true;
  await waitOutDedup(crmCallIndexFor(deps), crm, callKey);
  const source = crmSource(step);
  const base = {
    USER_ID: user.id,
    PHONE_NUMBER: await clientPhone(step),
    TYPE: (call.direction === "outbound" ? 1 : 2) as 1 | 2,
    CALL_START_DATE: formatB24DateTime(new Date(call.started_at)),
    CRM_CREATE: (step.cfg.product.crmCreate ? 1 : 0) as 0 | 1,
    SHOW: 0 as const,
    ...(call.line_number ? { LINE_NUMBER: call.line_number } : {}),
    ...(source ? { CRM_SOURCE: source } : {}),
  };
  let params: Record<string, unknown> = base;
  if (deps.hooks.isEnabled("process_registration_params")) {
    const r = await deps.hooks.run("process_registration_params", { ...base, call_full: step.hookCall(), call_stage: step.stage });
    if (r.outcome === "cancelled") {
      crm.skipped = "registration cancelled by customization";
      await deps.journal.update(callKey, { status: "skipped", reason: crm.skipped });
      return false;
    }
    if (r.outcome === "applied") params = { ...r.data };
  }
  if (!(await refuseUnknownNumber(step, params))) return false;
  // One Bitrix24 call per physical call even if the request is retried: EXTERNAL_CALL_ID.
  params.EXTERNAL_CALL_ID = callKey;
  const commands = [{ name: "reg", method: "telephony.externalcall.register", params }];
  let showUser: number | undefined;
  if (showTo !== undefined && showTo === Number(params.USER_ID) && !deps.hooks.isEnabled("customize_show_call_card") && params.SHOW === 0) {
    // The card for the registering user travels in the register itself (SHOW=1): one command less.
    params.SHOW = 1;
    showUser = showTo;
  } else if (showTo !== undefined) {
    const show = await cardParams(step, "$result[reg][CALL_ID]", showTo);
    if (show) {
      showUser = showTo;
      commands.push({ name: "show", method: "telephony.externalcall.show", params: show });
    }
  }
  const res = await sendChain(deps.gateway, deps.journal, callKey, registerRequestId(step.id("register"), crm), commands, step.stage);
  const reg = outcomeOf<RegisterAnswer>(res, "reg");
  if (!reg?.ok) {
    crm.registerError = reg ? reg.error.description || reg.error.message : "no answer";
    await deps.journal.update(callKey, { reason: `register refused: ${crm.registerError}`, lastErrorType: reg && !reg.ok ? reg.error.kind : undefined });
    return false;
  }
  if (!(await claimRegistered(crmCallIndexFor(deps), crm, callKey, reg.value.CALL_ID))) return deferDeduplicated(step);
  crm.crmCallId = reg.value.CALL_ID;
  crm.source = "register";
  crm.registeredUserId = Number(params.USER_ID);
  delete crm.registerError;
  if (reg.value.CRM_ENTITY_TYPE && reg.value.CRM_ENTITY_ID) {
    crm.entityType = reg.value.CRM_ENTITY_TYPE;
    crm.entityId = Number(reg.value.CRM_ENTITY_ID);
  } else if (reg.value.CRM_CREATED_LEAD) {
    crm.entityType = "LEAD";
    crm.entityId = Number(reg.value.CRM_CREATED_LEAD);
  }
  if (showUser !== undefined && (params.SHOW === 1 || outcomeOf(res, "show")?.ok)) crm.shown.push(showUser);
  await deps.journal.update(callKey, {
    crmCallId: crm.crmCallId,
    direction: call.direction,
    clientNumber: call.client_number,
    lineNumber: call.line_number,
    ...(crm.entityType ? { entityType: crm.entityType, entityId: String(crm.entityId) } : {}),
  });
  deps.metrics?.inc("ab24_registrations_total", { direction: call.direction });
  await step.save();
  await postRegistration(step);
  return true;
}
