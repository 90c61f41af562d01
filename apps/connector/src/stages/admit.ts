import type { StageStep } from "./step.js";

/**
 * Should this call reach the CRM at all? A new call is taken only while the licence accepts new
 * calls (calls in progress always continue).
 */
export async function admit(step: StageStep): Promise<boolean> {
  const { deps, crm, call, callKey } = step;
  const license = deps.license;
  if (license && !license.admitCall(callKey)) {
    crm.skipped = `licence: ${license.status().message}`;
    await deps.journal.update(callKey, { status: "skipped", reason: crm.skipped, direction: call.direction, clientNumber: call.client_number });
    deps.metrics?.inc("ab24_calls_skipped_total", { reason: "licence" });
    return false;
  }
  crm.admitted = true;
  return true;
}

/**
 * Internal calls (unless configured), calls of unknown direction, black/white lists and the
 * need_registration hook keep a call out of the CRM. Returns true when the call is skipped.
 */
export async function decideSkip(step: StageStep): Promise<boolean> {
  const { deps, crm, call, callKey } = step;
  let reason: string | undefined;
  if (call.direction === "internal" && !step.cfg.product.registerInternalCalls) reason = "internal call";
  else if (call.direction === "unknown") reason = "direction unknown (no trunk and no employee)";
  else if (!call.click_to_call?.crm_call_id) {
    const ext = call.rang_extensions[0] ?? "";
    const decision = deps.lists.shouldRegister({ extension: ext, trunk: call.trunk_name, clientNumber: call.client_number });
    if (!decision.register) reason = `black/white list: ${decision.reason}${decision.matched ? ` (${decision.matched})` : ""}`;
  }
  if (!reason && deps.hooks.isEnabled("need_registration")) {
    const r = await deps.hooks.run("need_registration", { call_full: step.hookCall(), call_stage: step.stage });
    if (r.outcome === "cancelled" || ((r.outcome === "applied" || r.outcome === "default") && r.data.result === false)) reason = "need_registration hook said no";
  }
  if (!reason) return false;
  crm.skipped = reason;
  await deps.journal.update(callKey, { status: "skipped", reason, direction: call.direction, clientNumber: call.client_number, lineNumber: call.line_number });
  deps.metrics?.inc("ab24_calls_skipped_total", { reason: reason.split(":")[0]! });
  return true;
}
