import { decideSkip } from "./admit.js";
import { afterFinish } from "./after-finish.js";
import { emptyCrmState } from "./crm-state.js";
import { finishCall, responsibleFor } from "./finish.js";
import { adoptPortalCall, register } from "./register.js";
import type { StageStep } from "./step.js";
import { landingFor, noteFallback, noteNotLanded } from "./unowned.js";

/**
 * call_ended: register late if needed (missed in the IVR), finish (responsible, STATUS_CODE, talk
 * time), then what follows the finish; an attended-transfer consultation call hands over instead.
 */
export async function callEnded(step: StageStep): Promise<void> {
  const { deps, crm, call, callKey } = step;
  const { journal } = deps;
  if (call.end_reason === "merged" && call.merged_into) {
    await handOver(step, call.merged_into);
    return;
  }
  if (crm.skipped) {
    await journal.update(callKey, { status: "skipped", reason: crm.skipped });
    crm.finished = true;
    return;
  }
  if (!crm.crmCallId && (await decideSkip(step))) {
    crm.finished = true;
    return;
  }
  // Who the call lands on: the responsible rules, else a fallback (never dropped for want of an owner).
  const landing = await landingFor(step);
  if (!crm.crmCallId) {
    if (!(await adoptPortalCall(step))) {
      // Never registered: missed in the IVR, or nobody with a CRM user rang. Register now.
      if (!landing) {
        await noteNotLanded(step);
        crm.finished = true;
        return;
      }
      if (!(await register(step, landing.user))) {
        const reason = crm.skipped ?? `register refused: ${crm.registerError ?? "unknown"}`;
        if (crm.skipped) await journal.update(callKey, { status: "skipped", reason });
        else await journal.fail(callKey, reason);
        crm.finished = true;
        return;
      }
    }
  }
  if (!landing) {
    // Registered (a click-to-call the portal made) but nobody to finish it on.
    await noteNotLanded(step);
    crm.finished = true;
    return;
  }
  const responsible = landing.user.id;
  const finished = await finishCall(step, responsible);
  if (!finished) {
    crm.finished = true;
    return;
  }
  await afterFinish(step, finished.activityId, responsible, finished.statusCode);
  crm.finished = true;
  await journal.update(callKey, {
    status: "delivered",
    responsibleUserId: String(responsible),
    statusCode: finished.statusCode,
    durationSec: String(finished.duration),
    ...(finished.activityId ? { activityId: String(finished.activityId) } : {}),
  });
  deps.metrics?.inc("ab24_calls_delivered_total", { direction: call.direction, status: finished.statusCode });
  await noteFallback(step, landing);
}

/** A consultation call merged into another (attended transfer): its CRM state moves along. */
export async function handOver(step: StageStep, target: string): Promise<void> {
  const { deps, crm, callKey } = step;
  const other = await deps.crmState.load(target);
  if (!other.crmCallId && crm.crmCallId && !other.skipped) {
    const merged = { ...emptyCrmState(), ...crm, mergedFrom: [...other.mergedFrom, callKey], finished: false };
    delete merged.skipped;
    await deps.crmState.save(target, merged);
  } else if (crm.crmCallId && other.crmCallId !== crm.crmCallId) {
    // Both were registered: this one ends here as its own CRM call.
    const responsible = await responsibleFor(step);
    if (responsible !== undefined) await finishCall(step, responsible);
  }
  crm.finished = true;
  await deps.journal.update(callKey, { status: "delivered", reason: `merged into ${target}` });
}
