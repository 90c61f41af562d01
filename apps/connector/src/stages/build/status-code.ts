/**
 * Asterisk's outcome of a call → Bitrix24's `STATUS_CODE` for telephony.externalCall.finish.
 *
 * Bitrix24 codes (bitrix24-rest.md §1.3): `200` success, `304` missed, `603` declined, `603-S`
 * cancelled, `403` forbidden, `404` wrong number, `486` busy, `484` / `503` destination
 * unavailable, `480` temporarily unavailable, `402` insufficient funds, `423` blocked, `OTHER`.
 *
 * Rules, in order:
 * 1. Answered (a CRM manager talked, or DialStatus ANSWER) → `200`, either direction.
 * 2. Inbound (incoming, incoming with redirection, IVR) and not answered → `304` — always: this is
 *    what makes Bitrix24 show a missed call and fire its missed-call trigger. `FAILED_REASON` still
 *    says why (busy, no answer, …).
 * 3. Outbound, by DialStatus (table `DIAL_STATUS_TABLE`). CONGESTION and CHANUNAVAIL are vague
 *    (Asterisk reports a SIP 404 as CONGESTION), so a specific hangup cause refines them.
 * 4. Outbound without DialStatus: by Q.850 hangup cause (table `HANGUP_CAUSE_TABLE`).
 * 5. Nothing known: `603-S` (the caller gave up), reason "unknown".
 */

import type { CallFull } from "../../tracker/index.js";

export type B24StatusCode = "200" | "304" | "603" | "603-S" | "403" | "404" | "486" | "484" | "503" | "480" | "402" | "423" | "OTHER";

export type CallDirection = "inbound" | "outbound";

export interface StatusInput {
  direction: CallDirection;
  /** A manager (CRM user) answered. Set from the tracker; overrides everything. */
  answered: boolean;
  /** Asterisk's DIALSTATUS of the last Dial (ANSWER, BUSY, NOANSWER, CANCEL, …), any case. */
  dialStatus?: string | undefined;
  /** Q.850 cause of the hangup (Hangup event `Cause`). */
  hangupCause?: number | undefined;
}

export interface StatusResult {
  statusCode: B24StatusCode;
  /** Short English text for FAILED_REASON ("" when answered). */
  failedReason: string;
  /** Which rule decided. */
  source: "answered" | "inbound-missed" | "dial-status" | "hangup-cause" | "default";
}

export interface StatusRow {
  code: B24StatusCode;
  reason: string;
}

/** Outbound DialStatus → code. Documented row by row; tests walk every row. */
export const DIAL_STATUS_TABLE: Readonly<Record<string, StatusRow>> = {
  ANSWER: { code: "200", reason: "" },
  BUSY: { code: "486", reason: "busy" },
  NOANSWER: { code: "480", reason: "no answer" },
  CANCEL: { code: "603-S", reason: "cancelled by the caller" },
  CONGESTION: { code: "503", reason: "congestion" },
  CHANUNAVAIL: { code: "480", reason: "channel unavailable" },
  DONTCALL: { code: "603", reason: "declined (privacy manager)" },
  TORTURE: { code: "603", reason: "declined (privacy manager)" },
  INVALIDARGS: { code: "OTHER", reason: "invalid Dial arguments" },
};

/** Outbound Q.850 hangup cause → code (Asterisk's causes.h names in the comments). */
export const HANGUP_CAUSE_TABLE: Readonly<Record<number, StatusRow>> = {
  1: { code: "404", reason: "unallocated number" }, // UNALLOCATED
  2: { code: "404", reason: "no route to transit network" }, // NO_ROUTE_TRANSIT_NET
  3: { code: "404", reason: "no route to destination" }, // NO_ROUTE_DESTINATION
  16: { code: "603-S", reason: "cleared before answer" }, // NORMAL_CLEARING (not answered: someone hung up)
  17: { code: "486", reason: "busy" }, // USER_BUSY
  18: { code: "480", reason: "no user responding" }, // NO_USER_RESPONSE
  19: { code: "480", reason: "no answer" }, // NO_ANSWER
  20: { code: "480", reason: "subscriber absent" }, // SUBSCRIBER_ABSENT
  21: { code: "603", reason: "call rejected" }, // CALL_REJECTED
  22: { code: "404", reason: "number changed" }, // NUMBER_CHANGED
  26: { code: "603-S", reason: "answered elsewhere" }, // ANSWERED_ELSEWHERE / non-selected user clearing
  27: { code: "503", reason: "destination out of order" }, // DESTINATION_OUT_OF_ORDER
  28: { code: "484", reason: "invalid number format" }, // INVALID_NUMBER_FORMAT
  29: { code: "503", reason: "facility rejected" }, // FACILITY_REJECTED
  31: { code: "480", reason: "normal, unspecified" }, // NORMAL_UNSPECIFIED
  34: { code: "503", reason: "no circuit available" }, // NORMAL_CIRCUIT_CONGESTION
  38: { code: "503", reason: "network out of order" }, // NETWORK_OUT_OF_ORDER
  41: { code: "503", reason: "temporary failure" }, // NORMAL_TEMPORARY_FAILURE
  42: { code: "503", reason: "switching equipment congestion" }, // SWITCH_CONGESTION
  44: { code: "503", reason: "requested channel not available" }, // REQUESTED_CHAN_UNAVAIL
  47: { code: "503", reason: "resource unavailable" }, // RESOURCE_UNAVAIL
  50: { code: "403", reason: "facility not subscribed" }, // FACILITY_NOT_SUBSCRIBED
  52: { code: "403", reason: "outgoing calls barred" }, // OUTGOING_CALL_BARRED
  54: { code: "403", reason: "incoming calls barred" }, // INCOMING_CALL_BARRED
  57: { code: "403", reason: "bearer capability not authorised" }, // BEARERCAPABILITY_NOTAUTH
  58: { code: "503", reason: "bearer capability not available" }, // BEARERCAPABILITY_NOTAVAIL
  65: { code: "503", reason: "bearer capability not implemented" }, // BEARERCAPABILITY_NOTIMPL
  88: { code: "503", reason: "incompatible destination" }, // INCOMPATIBLE_DESTINATION
  102: { code: "480", reason: "timeout" }, // RECOVERY_ON_TIMER_EXPIRE
  127: { code: "OTHER", reason: "interworking, unspecified" }, // INTERWORKING
};

/** Causes that say nothing specific: they never refine a vague DialStatus. */
const VAGUE_CAUSES = new Set([0, 16, 31, 127]);

export function toB24Status(input: StatusInput): StatusResult {
  const dial = input.dialStatus?.trim().toUpperCase() || undefined;
  const cause = input.hangupCause;
  if (input.answered || dial === "ANSWER") return { statusCode: "200", failedReason: "", source: "answered" };

  const why = (): StatusRow | undefined => {
    if (dial !== undefined) {
      const row = DIAL_STATUS_TABLE[dial];
      if ((dial === "CONGESTION" || dial === "CHANUNAVAIL") && cause !== undefined && !VAGUE_CAUSES.has(cause)) {
        return HANGUP_CAUSE_TABLE[cause] ?? row;
      }
      if (row) return row;
    }
    return cause !== undefined ? HANGUP_CAUSE_TABLE[cause] : undefined;
  };

  if (input.direction === "inbound") {
    return { statusCode: "304", failedReason: why()?.reason ?? "missed", source: "inbound-missed" };
  }
  if (dial !== undefined && DIAL_STATUS_TABLE[dial]) {
    const row = why()!;
    return { statusCode: row.code, failedReason: row.reason, source: "dial-status" };
  }
  if (cause !== undefined && HANGUP_CAUSE_TABLE[cause]) {
    const row = HANGUP_CAUSE_TABLE[cause];
    return { statusCode: row.code, failedReason: row.reason, source: "hangup-cause" };
  }
  return { statusCode: "603-S", failedReason: "unknown", source: "default" };
}

/**
 * STATUS_CODE of a tracked call. Answered: 200; missed inbound: 304. An outgoing call that did not
 * connect is told apart by what Asterisk said about the dialled trunk leg (DIALSTATUS, then the
 * Q.850 cause; tables above); without a trunk leg (a click-to-call whose manager did not pick up)
 * the tracker's SIP-style result decides.
 */
export function statusCodeFor(call: CallFull): string {
  const answered = call.result === 200;
  const direction = call.direction === "outbound" ? "outbound" : "inbound";
  const trunkLeg = [...call.channels].reverse().find((c) => c.extra.kind === "trunk" && c.extra.origin !== "incoming");
  if (answered || direction === "inbound" || trunkLeg) {
    return toB24Status({ direction, answered, dialStatus: trunkLeg?.extra.dial_status || undefined, hangupCause: trunkLeg?.extra.cause ?? undefined }).statusCode;
  }
  const r = call.result;
  if (r === 603) return "603-S";
  return [486, 480, 484, 503, 404, 403].includes(r) ? String(r) : "480";
}
