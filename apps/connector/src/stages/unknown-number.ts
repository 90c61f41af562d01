import type { StageStep } from "./step.js";

/**
 * Bitrix24 refuses a register without PHONE_NUMBER ("Unsupported phone number format"), three
 * times over with retries, and the call is then lost. A call whose number we do not know yet (a
 * call adopted after a reconnect before Asterisk told us its number) is not registered: the next
 * stage of the call tries again with what the tracker learned meanwhile, and if the number is
 * still unknown at the end the call fails in the journal with this reason instead of sending garbage.
 */
export const UNKNOWN_NUMBER_REASON = "client number unknown (e.g. a call adopted after an AMI reconnect): not registered, Bitrix24 refuses an empty PHONE_NUMBER";

/** false (and the reason noted once) when `params.PHONE_NUMBER` is empty. */
export async function refuseUnknownNumber(step: StageStep, params: Record<string, unknown>): Promise<boolean> {
  const phone = params.PHONE_NUMBER;
  if (typeof phone === "string" ? phone.trim() !== "" : phone !== undefined && phone !== null) return true;
  if (step.crm.registerError !== UNKNOWN_NUMBER_REASON) {
    step.crm.registerError = UNKNOWN_NUMBER_REASON;
    await step.deps.journal.record(step.callKey, { kind: "note", text: UNKNOWN_NUMBER_REASON });
  }
  return false;
}
