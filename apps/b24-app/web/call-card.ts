/**
 * The CALL_CARD tab: what the PBX knows about the call in the card — route (DID, IVR, queues),
 * every employee leg, transfers, who answered. CALL_ID comes from PLACEMENT_OPTIONS (b24jssdk
 * `placement.options`); the b24-app asks the connector (GET /api/b24/calls/:CALL_ID).
 */
import type { B24Frame } from "@bitrix24/b24jssdk";
import { ApiError, appApi } from "./api.js";
import { h, pill, table } from "./dom.js";
import type { PbxCallFacts } from "../../connector/src/http/b24-call-facts.js";

/** The connector's answer (GET /api/b24/calls/:CALL_ID), relayed by the b24-app. */
type Facts = PbxCallFacts;

const ZERO = "0001-01-01 00:00:00";

export async function renderCallCard(b24: B24Frame, root: HTMLElement): Promise<void> {
  const options = (b24.placement.options ?? {}) as { CALL_ID?: string };
  const callId = String(options.CALL_ID ?? "");
  root.classList.remove("muted");
  if (!callId) {
    root.replaceChildren(h("p", { class: "warn" }, "The portal passed no CALL_ID to this tab."));
    return;
  }
  let facts: Facts;
  try {
    facts = await appApi<Facts>(b24, `calls/${encodeURIComponent(callId)}`);
  } catch (err) {
    const text = err instanceof ApiError && err.status === 404 ? "The PBX has no record of this call (yet)." : `PBX data unavailable: ${(err as Error).message}`;
    root.replaceChildren(h("p", { id: "no-facts", class: "warn", "data-call-id": callId }, text));
    document.body.dataset.ready = "true";
    return;
  }
  const when = (t: string) => (t && t !== ZERO ? t : "—");
  root.replaceChildren(
    h(
      "div",
      { id: "call-facts", "data-call-id": callId, "data-call-key": facts.callKey },
      h("h1", {}, `${facts.direction} call ${facts.clientNumber || ""} `, facts.ended ? pill("ended", "ok") : pill("in progress", "warn")),
      h(
        "dl",
        {},
        h("dt", {}, "Line"),
        h("dd", { id: "fact-line" }, [facts.did || facts.lineNumber, facts.trunk ? `trunk ${facts.trunk}` : ""].filter(Boolean).join(", ") || "—"),
        h("dt", {}, "Route"),
        h("dd", { id: "fact-route" }, facts.route.join(" → ") || "—"),
        h("dt", {}, "IVR"),
        h("dd", { id: "fact-ivr" }, facts.missedInIvr ? "left in the IVR without reaching anyone" : "passed"),
        h("dt", {}, "Queues / groups"),
        h("dd", { id: "fact-queues" }, facts.queues.join(", ") || "—"),
        h("dt", {}, "Answered by"),
        h("dd", { id: "fact-answered" }, facts.answeredBy ? `extension ${facts.answeredBy}` : "nobody"),
        h("dt", {}, "Started / answered / ended"),
        h("dd", {}, `${when(facts.startTime)} / ${when(facts.answerTime)} / ${when(facts.endTime)}`),
        h("dt", {}, "Talk time"),
        h("dd", {}, `${facts.talkSeconds} s`),
        h("dt", {}, "Connector journal"),
        h("dd", { id: "fact-journal" }, `${facts.journalStatus} · ${facts.callKey}`),
      ),
      h("h2", {}, "Who was rung"),
      table(
        ["Extension", "Via", "Answered", "Talk", "Ended because", "Transferred from"],
        facts.legs.map((l) => [
          l.extension + (l.inCrm ? "" : " (not in CRM)"),
          l.group || l.via || "—",
          l.answered ? pill("answered", "ok") : pill("no", "warn"),
          `${l.talkSeconds} s`,
          l.endReason,
          l.transferredFrom || "—",
        ]),
        { id: "legs-table" },
      ),
      h("h2", {}, "Transfers"),
      facts.transfers.length
        ? table(
            ["Kind", "From", "To"],
            facts.transfers.map((t) => [t.kind, t.from, t.to]),
            { id: "transfers-table" },
          )
        : h("p", { class: "muted", id: "no-transfers" }, "none"),
    ),
  );
  await b24.parent.fitWindow().catch(() => undefined);
  document.body.dataset.ready = "true";
}
