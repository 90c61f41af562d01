/** The CRM-relevant part of a call_full, to compare a rebuilt call with the live one. */
import type { CallFull } from "../../src/tracker/index.js";

export function crmOutcome(c: CallFull) {
  const convs = Object.values(c.conversations)
    .map((v) => `${v.extension}:${v.role}:${v.was_accepted ? "accepted" : "not"}:${v.excluded ? "excluded" : "crm"}`)
    .sort();
  return {
    direction: c.direction,
    client_number: c.client_number,
    line_number: c.line_number,
    trunk_name: c.trunk_name,
    answered_extension: c.answered_extension,
    result: c.result,
    is_ivr: c.is_ivr,
    has_record: c.record !== "",
    rang_extensions: [...c.rang_extensions].sort(),
    excluded_extensions: [...c.excluded_extensions].sort(),
    conversations: convs,
    /** The employee who started the call (outbound/internal: who registered it). */
    caller_extension: Object.values(c.conversations).find((v) => v.role === "caller")?.extension ?? "",
  };
}
