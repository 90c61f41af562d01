/**
 * An independent check of a reprocessed call: what Asterisk's CDR says, compared with what the
 * CRM shows after the run. The CRM was filled from the call rebuilt from CEL, so comparing the CRM
 * with that same rebuilt call proves nothing (a call cut in two looks "fixed" twice); CDR is
 * written by another Asterisk module (cdr.c: one row per pair of bridged channels, each with its
 * own answer and end) and joins no linkedids, so a call wrongly cut, merged or attributed by the
 * rebuild shows up as a disagreement (docs/decisions/0020).
 *
 * From the rows between the client and an employee (one end an internal extension, the other not;
 * employee-to-employee rows such as a consultation are left out):
 *   answered     a row ANSWERED with billsec > 0;
 *   answered by  the employee end of the answered row whose talk started last (the one the call
 *                ended with: after a transfer, a pickup or a retrieval from the parking slot);
 *   talk         first answer → last end of the answered rows: the client's whole conversation,
 *                holds and a parking slot included. It is an UPPER bound: a CDR row starts at the
 *                answer of its first channel, so the client's wait in a queue (the queue answers
 *                at once), a click-to-call's ringing of the client and a blind-transferred
 *                client's wait for the target count in it. The CRM's talk time may be shorter, not
 *                longer (3 s of rounding allowed). Lost talk (a call cut in two) shows as another
 *                responsible or as "not answered", which are compared exactly.
 */
import type { CdrRow } from "../cel/index.js";
import { parseChannelName } from "../tracker/classify.js";

export interface CdrView {
  answered: boolean;
  /** Employee extension that answered last ("" when none). */
  answeredBy: string;
  talkSeconds: number;
  /** Client-to-employee rows the view was built from. */
  rows: number;
}

/** What the CRM shows for the call after the run. */
export interface CrmView {
  userId?: number | undefined;
  durationSec?: number | undefined;
  statusCode?: string | undefined;
}

/** The extension behind a channel name: PJSIP/101-0000002a → 101, Local/101@from-internal-…;1 → 101. */
function extensionOf(channel: string): string {
  if (!channel) return "";
  const p = parseChannelName(channel.replace(/<ZOMBIE>$/, ""));
  const at = p.endpoint.indexOf("@");
  return at >= 0 ? p.endpoint.slice(0, at) : p.endpoint;
}

export function cdrView(rows: readonly CdrRow[], internal: RegExp): CdrView | undefined {
  let answeredFirst = Infinity;
  let endLast = 0;
  let lastAnswer = -Infinity;
  let answeredBy = "";
  let count = 0;
  for (const r of rows) {
    const a = extensionOf(r.channel);
    const b = extensionOf(r.dstchannel);
    if (!r.dstchannel) continue;
    const aInternal = internal.test(a);
    const bInternal = internal.test(b);
    if (aInternal === bInternal) continue;
    count++;
    if (r.disposition.toUpperCase() !== "ANSWERED" || r.billsec <= 0) continue;
    const answerAt = (r.answer ?? r.calldate).getTime();
    const endAt = r.end?.getTime() ?? answerAt + r.billsec * 1000;
    answeredFirst = Math.min(answeredFirst, answerAt);
    endLast = Math.max(endLast, endAt);
    if (answerAt >= lastAnswer) {
      lastAnswer = answerAt;
      answeredBy = aInternal ? a : b;
    }
  }
  if (count === 0) return undefined;
  const answered = answeredBy !== "";
  return { answered, answeredBy, talkSeconds: answered ? Math.round((endLast - answeredFirst) / 1000) : 0, rows: count };
}

/** Where the CDR and the CRM disagree (human text; empty: they agree). `userOf`: extension → Bitrix24 user, undefined when none. */
export function cdrDisagreements(cdr: CdrView, crm: CrmView, userOf: (extension: string) => number | undefined): string[] {
  const out: string[] = [];
  const crmAnswered = crm.statusCode === "200";
  if (crm.statusCode !== undefined && crmAnswered !== cdr.answered) {
    out.push(cdr.answered ? `CDR: answered by ${cdr.answeredBy}; CRM: not answered (${crm.statusCode})` : `CDR: not answered; CRM: answered (${crm.statusCode})`);
    return out;
  }
  if (!cdr.answered) return out;
  const user = userOf(cdr.answeredBy);
  if (user !== undefined && crm.userId !== undefined && user !== crm.userId) out.push(`CDR: answered last by ${cdr.answeredBy} (user ${user}); CRM: user ${crm.userId}`);
  if (crm.durationSec !== undefined && crm.durationSec > cdr.talkSeconds + 3) out.push(`CDR: talk at most ${cdr.talkSeconds} s; CRM: ${crm.durationSec} s`);
  return out;
}
