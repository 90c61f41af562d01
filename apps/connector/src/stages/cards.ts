import { outcomeOf, sendChain } from "./crm-requests.js";
import type { Conversation, StageStep } from "./step.js";

/** Click-to-call: Bitrix24 showed the card to the manager who clicked; never a second one. */
export function portalShowsCard(step: StageStep, conv: Conversation): boolean {
  return !!step.call.click_to_call?.crm_call_id && conv.role === "caller";
}

/** When this extension's manager sees the call card (per-extension override, else the default). */
export function cardModeFor(step: StageStep, ext: string): "ringing" | "answer" | "never" {
  return step.cfg.product.cardModeByExtension[ext] ?? step.cfg.product.cardMode;
}

/** show parameters after customize_show_call_card; undefined = cancelled. */
export async function cardParams(step: StageStep, callId: string, userId: number): Promise<Record<string, unknown> | undefined> {
  const { hooks } = step.deps;
  if (!hooks.isEnabled("customize_show_call_card")) return { CALL_ID: callId, USER_ID: userId };
  const r = await hooks.run("customize_show_call_card", { CALL_ID: callId, USER_ID: userId, call_full: step.hookCall(), call_stage: step.stage });
  if (r.outcome === "cancelled") return undefined;
  if (r.outcome === "applied") return { ...r.data, CALL_ID: callId };
  return { CALL_ID: callId, USER_ID: userId };
}

/** Shows the registered call's card to a user (once). */
export async function showCard(step: StageStep, userId: number): Promise<void> {
  const { deps, crm } = step;
  if (!crm.crmCallId || crm.shown.includes(userId)) return;
  const params = await cardParams(step, crm.crmCallId, userId);
  if (!params) return;
  const res = await sendChain(deps.gateway, deps.journal, step.callKey, step.id(`show:${userId}`), [{ name: "show", method: "telephony.externalcall.show", params }], step.stage);
  if (outcomeOf(res, "show")?.ok) {
    crm.shown.push(userId);
    crm.hidden = crm.hidden.filter((u) => u !== userId);
  }
}

/** Hides the card from a user it was shown to (once). */
export async function hideCard(step: StageStep, userId: number): Promise<void> {
  const { deps, crm } = step;
  if (!crm.crmCallId || !crm.shown.includes(userId) || crm.hidden.includes(userId)) return;
  const params = { CALL_ID: crm.crmCallId, USER_ID: userId };
  const res = await sendChain(deps.gateway, deps.journal, step.callKey, step.id(`hide:${userId}`), [{ name: "hide", method: "telephony.externalcall.hide", params }], step.stage);
  if (outcomeOf(res, "hide")?.ok) crm.hidden.push(userId);
}
