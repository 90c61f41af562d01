/**
 * OriginateResponse → what happened to the manager's phone, in plain words. Reason values are
 * Asterisk's (main/pbx.c pbx_dial_reason → enum ast_control_frame_type); with Async originates
 * Reason 4 means the MANAGER answered (the client is dialled after that).
 */

export type OriginateOutcome = "answered" | "not-registered" | "hangup" | "no-answer" | "busy" | "congestion" | "failed";

export interface OriginateDiagnosis {
  outcome: OriginateOutcome;
  reason: number;
  /** For logs and for the notice to the manager. */
  text: string;
}

const TEXT: Record<OriginateOutcome, string> = {
  answered: "the manager's phone answered; the client is being dialled",
  "not-registered": "the manager's phone is not available (not registered / offline, or the channel could not be created)",
  hangup: "the manager's phone hung up during the attempt",
  "no-answer": "the manager's phone did not answer",
  busy: "the manager's phone is busy",
  congestion: "the call was rejected or the network is congested",
  failed: "the call could not be started",
};

export function diagnoseOriginate(response: string, reasonRaw: string | undefined): OriginateDiagnosis {
  const reason = Number(reasonRaw ?? -1);
  let outcome: OriginateOutcome;
  if (response.toLowerCase() === "success" || reason === 4) outcome = "answered";
  else if (reason === 0) outcome = "not-registered";
  else if (reason === 1) outcome = "hangup";
  else if (reason === 3) outcome = "no-answer";
  else if (reason === 5) outcome = "busy";
  else if (reason === 8) outcome = "congestion";
  else outcome = "failed";
  return { outcome, reason: Number.isFinite(reason) ? reason : -1, text: TEXT[outcome] };
}

/** The manager's notice (im.notify.system.add) for a click-to-call that did not go through. */
export function failureNotice(d: OriginateDiagnosis, number: string): string {
  return `Click-to-call to ${number} did not go through: ${d.text}.`;
}
