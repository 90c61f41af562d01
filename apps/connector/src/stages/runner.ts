/**
 * Stage events → Bitrix24 requests, one call at a time, in order (the worker pool guarantees
 * it). Each stage reads the call's CRM state, does its requests through the batched client with
 * deterministic ids (a restart joins instead of repeating), and saves the state.
 *
 *   conversation_requested  register (first CRM conversation) [+ show, card on ringing] · show
 *   conversation_accepted   show to the one who answered (card on answer)
 *   conversation_ended      hide for a manager whose phone only rang (ringall losers)
 *   call_ended              finish (responsible, STATUS_CODE, talk time) · recording ·
 *                           activity / entity hooks · missed-call task · notices · journal
 *
 * One file per stage concept: admit.ts (should the call reach the CRM), lookup.ts (users and
 * phones), register.ts, cards.ts, conversation.ts, call-ended.ts, finish.ts, after-finish.ts,
 * record.ts; pure request builders in build/.
 */
import type { StageEvent } from "../tracker/index.js";
import { admit, decideSkip } from "./admit.js";
import { callEnded } from "./call-ended.js";
import { conversationAccepted, conversationEnded, conversationRequested } from "./conversation.js";
import { StageStep, type StageDeps } from "./step.js";

export class StageRunner {
  constructor(readonly deps: StageDeps) {}

  /** The worker pool's handler: one stage event of one call. */
  async handle(callKey: string, stage: unknown, index: number): Promise<void> {
    const ev = stage as StageEvent;
    const crm = await this.deps.crmState.load(callKey);
    await runStage(new StageStep(this.deps, callKey, index, ev, crm));
    await this.deps.crmState.save(callKey, crm);
  }
}

/** One stage of one call (the CRM state is saved by the caller). */
export async function runStage(step: StageStep): Promise<void> {
  const { deps, crm, stage } = step;
  await deps.journal.record(step.callKey, { kind: "stage", stage, text: step.conversationId });
  if (crm.finished) return;
  // Who is who comes from Bitrix24's users: until they loaded once, the stage waits (retried).
  if (!deps.users.loaded) await deps.users.refresh();
  if (!crm.admitted && !crm.skipped && !(await admit(step))) {
    if (stage === "call_ended") crm.finished = true;
    return;
  }
  if (stage === "call_ended") {
    await callEnded(step);
    deps.license?.endCall(step.callKey);
    return;
  }
  if (crm.skipped) return;
  if (crm.shown.length === 0 && crm.hidden.length === 0 && !crm.crmCallId) {
    if (await decideSkip(step)) return;
  }
  const conv = step.conversationId === undefined ? undefined : step.call.conversations[step.conversationId];
  if (!conv || conv.excluded) return;
  if (stage === "conversation_requested") return conversationRequested(step, conv);
  if (stage === "conversation_accepted") return conversationAccepted(step, conv);
  return conversationEnded(step, conv);
}
