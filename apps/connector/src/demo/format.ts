import type { CallFull, StageEvent } from "../tracker/index.js";

/** One human line per stage event (the demo and the replay command print these). */
export function formatStage(ev: StageEvent, t0: number): string {
  const t = ((ev.at - t0) / 1000).toFixed(1).padStart(6);
  const call = ev.call;
  if (ev.stage === "call_ended") {
    const who = call.answered_extension ? `answered by ${call.answered_extension}` : "not answered";
    return `${t}s  ${ev.callKey}  call_ended             ${call.direction} ${call.client_number || "-"} line ${call.line_number || "-"}, ${who}, result ${call.result}, talk ${call.talk_seconds}s${call.record ? `, record ${call.record}` : ""}${call.is_ivr ? ", missed in IVR" : ""}`;
  }
  const conv = call.conversations[ev.conversationId];
  const ext = conv ? conv.extension : "?";
  const extra = conv
    ? [conv.role, conv.queue && `queue ${conv.queue}`, conv.via && `via ${conv.via}`, conv.excluded && "not in CRM", ev.stage === "conversation_ended" && conv.end_reason]
        .filter(Boolean)
        .join(", ")
    : "";
  return `${t}s  ${ev.callKey}  ${ev.stage.padEnd(23)}${ext}${extra ? ` (${extra})` : ""}`;
}

/** The parts of call_full a person wants to see at the end of a call. */
export function summarizeCall(call: CallFull): Record<string, unknown> {
  return {
    call_key: call.call_key,
    direction: call.direction,
    client_number: call.client_number,
    line_number: call.line_number,
    result: call.result,
    answered_extension: call.answered_extension,
    rang_extensions: call.rang_extensions,
    excluded_extensions: call.excluded_extensions,
    talk_seconds: call.talk_seconds,
    is_ivr: call.is_ivr,
    record: call.record,
    click_to_call: call.click_to_call,
    transfers: call.transfers,
    conversations: Object.fromEntries(
      Object.entries(call.conversations).map(([id, c]) => [
        id,
        { extension: c.extension, role: c.role, state: c.state, was_accepted: c.was_accepted, end_reason: c.end_reason, talk_seconds: c.talk_seconds, excluded: c.excluded },
      ]),
    ),
  };
}
