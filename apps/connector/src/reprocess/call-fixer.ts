/**
 * One call, reprocessed: compare what the call should be in the CRM (its stage events, rebuilt
 * from CEL, run through the same pipeline rules) with what the CRM has (its statistics row found
 * by EXTERNAL_CALL_ID), then do only what is missing:
 *
 *   not in the CRM            → the call's stages through the live pipeline (cards off, a
 *                               run-scoped CRM state): register + finish, or only finish when the
 *                               live pass registered it; never a second register for a call the
 *                               CRM already has, whatever its age (it is looked up first)
 *   in the CRM, no record     → attachRecord on the existing CALL_ID
 *   wrong responsible         → crm.activity.update RESPONSIBLE_ID on the call's activity
 *                               (a finished call cannot be finished again; the statistics row's
 *                               PORTAL_USER_ID cannot be changed through REST)
 *
 * The outcome is journalled (`reprocessed`, `liveResult`, `verify`), so a second run finds the
 * call right and changes nothing.
 */
import type { RebuiltCall } from "../cel/index.js";
import type { CallSummary } from "../journal/index.js";
import { isFinalB24Error } from "../stages/crm-requests.js";
import { emptyCrmState, type CrmCallState, type CrmStateStore } from "../stages/crm-state.js";
import type { RegistrationLedger } from "../stages/registration-ledger.js";
import type { LiveStageDeps as PipelineDeps } from "../stages/step.js";
import { StageRunner as CallPipeline } from "../stages/runner.js";
import { StageStep } from "../stages/step.js";
import { responsibleFor } from "../stages/finish.js";
import { attachRecording } from "../stages/record.js";
import type { CallFull, StageEvent } from "../tracker/index.js";
import { compileConfig } from "../tracker/config.js";
import { cdrDisagreements, cdrView, type CrmView } from "./cdr-check.js";
import { crmCallByKey, type CrmCallFacts } from "./crm-facts.js";
import type { CallCheck } from "./types.js";

export type Problem = { kind: "not_in_crm"; registered?: string } | { kind: "no_record"; file: string } | { kind: "responsible"; expected: number; actual: number };

export interface FixerDeps {
  /** The live pipeline's dependencies (config, users, hooks, journal…). */
  live: PipelineDeps;
  /** The same, for reprocessing: low-priority gateway with run-scoped ids, run-scoped CRM state, cards off. */
  reprocess: PipelineDeps;
  /** The live CRM state (what the live pass did: a CALL_ID registered but never finished). */
  liveCrmState: CrmStateStore;
  /** Every call registered by the live pass or any run: a call in it is finished on its CALL_ID, never registered again. */
  ledger: RegistrationLedger;
  runId: string;
  dryRun: boolean;
  /** Stage attempts when Bitrix24 keeps failing transiently (default 3). */
  attempts?: number;
  /** Pause between attempts (default 2000 ms). */
  retryDelayMs?: number;
}

const num = (v: string | undefined): number | undefined => (v === undefined || v === "" ? undefined : Number(v));

function lastStage(call: RebuiltCall): StageEvent & { stage: "call_ended" } {
  return call.stages.at(-1) as StageEvent & { stage: "call_ended" };
}

/** The recording the call should have in the CRM ("" when none). */
export function expectedRecord(deps: PipelineDeps, call: RebuiltCall): string {
  if (!deps.config.recordings.enabled) return "";
  return call.callFull.record || call.recordingFile || "";
}

/**
 * The call's stages as reprocessing feeds them: each stage keeps its own conversations, but what
 * is only known for sure at the end — direction, client, line, trunk, click-to-call, recording —
 * comes from the final call_full (a live pass decides on the first stage because it cannot wait;
 * after the fact there is no reason to decide on less than the whole call). Only the surviving
 * call's own stages: a call merged into it (a consultation, a picker's or a retriever's own call)
 * ends with its own call_ended, which the live pipeline treats as a hand-over to the surviving
 * call — fed under the surviving call's key it would mark that call as ended before its end.
 * The surviving call's stages already hold the merged conversations.
 */
function stagesOf(call: RebuiltCall): StageEvent[] {
  const f = call.callFull;
  const record = f.record || call.recordingFile || "";
  const known = {
    direction: f.direction,
    client_number: f.client_number,
    line_number: f.line_number,
    did: f.did,
    trunk_name: f.trunk_name,
    click_to_call: f.click_to_call,
    record,
  };
  return call.stages.filter((s) => s.callKey === call.callKey).map((s) => ({ ...s, call: { ...s.call, ...known } }) as StageEvent);
}

function answeredByCrmManager(call: CallFull): boolean {
  return Object.values(call.conversations).some((c) => c.was_accepted && !c.excluded);
}

/**
 * The responsible the pipeline would choose for this call, when it does not depend on the CRM's
 * state at finish time (a missed call in mode 0 goes to the entity's owner *then*: not checked).
 */
export async function expectedResponsible(deps: PipelineDeps, call: RebuiltCall): Promise<number | undefined> {
  const ev = lastStage(call);
  if (!answeredByCrmManager(ev.call) && deps.config.responsible.mode === 0) return undefined;
  const step = new StageStep(deps, call.callKey, stagesOf(call).length - 1, ev, emptyCrmState());
  return responsibleFor(step);
}

/** What is not right about this call in the CRM (empty: fine, or rightly not there). */
export async function inspect(deps: PipelineDeps, call: RebuiltCall, facts: CrmCallFacts | undefined, summary: CallSummary | undefined, registered?: string): Promise<Problem[]> {
  if (!facts) {
    if (summary?.status === "skipped") return [];
    const dir = call.callFull.direction;
    if ((dir === "internal" && !deps.config.product.registerInternalCalls) || dir === "unknown") return [];
    return [{ kind: "not_in_crm", ...(registered ? { registered } : {}) }];
  }
  const problems: Problem[] = [];
  const record = expectedRecord(deps, call);
  if (record && !facts.recordFileId && !facts.recordUrl) problems.push({ kind: "no_record", file: record });
  const expected = await expectedResponsible(deps, call);
  if (expected !== undefined && expected !== facts.portalUserId) problems.push({ kind: "responsible", expected, actual: facts.portalUserId });
  return problems;
}

export function describe(p: Problem): string {
  if (p.kind === "not_in_crm") return p.registered ? `registered (${p.registered}) but never finished` : "not in the CRM";
  if (p.kind === "no_record") return `no recording in the CRM (${p.file})`;
  return `responsible is user ${p.actual}, should be ${p.expected}`;
}

function planned(p: Problem): string {
  if (p.kind === "not_in_crm") return p.registered ? "finish" : "register and finish";
  if (p.kind === "no_record") return "attach the recording";
  return `set the activity's responsible to ${p.expected}`;
}

export class CallFixer {
  constructor(readonly deps: FixerDeps) {}

  /** Checks one call and, unless a dry run, puts right what is missing. */
  async run(call: RebuiltCall, facts: CrmCallFacts | undefined, summary: CallSummary | undefined): Promise<CallCheck> {
    const live = await this.#earlier(call.callKey);
    const { problems, activityResponsible } = await this.#confirmed(facts, await inspect(this.deps.live, call, facts, summary, live.crmCallId));
    const check: CallCheck = {
      callKey: call.callKey,
      startedAt: new Date(call.startedAt).toISOString(),
      direction: call.callFull.direction,
      clientNumber: call.callFull.client_number,
      problems: problems.map(describe),
      actions: [],
      verdict: "fine",
      ...(facts ? { crmCallId: facts.callId, responsibleUserId: activityResponsible ?? facts.portalUserId } : {}),
    };
    if (problems.length === 0) {
      if (!facts && summary?.status === "skipped") check.reason = `not for the CRM: ${summary.reason ?? "skipped"}`;
      else if (!facts) check.reason = `not for the CRM: ${call.callFull.direction} call`;
      else {
        const disagree = this.#againstCdr(call, { userId: check.responsibleUserId, durationSec: facts.durationSec, statusCode: facts.statusCode });
        if (disagree.length) {
          check.cdrDisagreements = disagree;
          check.verdict = "still_wrong";
          check.reason = `the CRM and the CDR disagree: ${disagree.join("; ")}`;
        }
      }
      return check;
    }
    if (this.deps.dryRun) {
      check.actions = problems.map((p) => `would ${planned(p)}`);
      check.verdict = "still_wrong";
      check.reason = "dry run: nothing changed";
      return check;
    }
    // In the CRM but not right → wrong; never journalled → unseen; else the live pass failed it.
    const liveResult: NonNullable<CallSummary["liveResult"]> = summary?.liveResult ?? (facts ? "wrong" : !summary ? "unseen" : "failed");
    const failures: string[] = [];
    const notInCrm = problems.find((p) => p.kind === "not_in_crm");
    if (notInCrm) {
      const skipped = await this.#land(call, summary, live, check, failures);
      if (skipped) {
        // The rules say this call is not for the CRM (black list, a hook…): right as it is.
        check.reason = `not for the CRM: ${skipped}`;
        check.problems = [];
        return check;
      }
    } else {
      for (const p of problems) {
        const err = p.kind === "no_record" ? await this.#attach(call, facts!, check) : p.kind === "responsible" ? await this.#reassign(facts!, p.expected, check) : undefined;
        if (err) failures.push(err);
      }
    }
    // Verified against the CDR, not against the call it was fixed from.
    const after = facts ? undefined : await this.deps.reprocess.journal.summary(call.callKey);
    const disagree = this.#againstCdr(
      call,
      facts
        ? { userId: check.responsibleUserId ?? facts.portalUserId, durationSec: facts.durationSec, statusCode: facts.statusCode }
        : { userId: check.responsibleUserId, durationSec: num(after?.durationSec), statusCode: after?.statusCode },
    );
    if (disagree.length) {
      check.cdrDisagreements = disagree;
      failures.push(`the CRM and the CDR disagree: ${disagree.join("; ")}`);
    }
    check.verdict = failures.length === 0 ? "fixed" : "still_wrong";
    if (failures.length) check.reason = failures.join("; ");
    await this.#journal(call, check, liveResult, summary);
    return check;
  }

  /** Where the CRM (after this run) and the call's CDR rows disagree; [] when no CDR or they agree. */
  #againstCdr(call: RebuiltCall, crm: CrmView): string[] {
    if (!call.cdr?.length) return [];
    const { live } = this.deps;
    const view = cdrView(call.cdr, compileConfig(live.config.tracker).internal);
    if (!view) return [];
    // A process_user_phone hook maps extensions in ways the CDR cannot know: the responsible is not compared then.
    const hooked = live.hooks.isEnabled("process_user_phone");
    const userOf = (ext: string) => (hooked ? undefined : live.users.find(live.extensionMap.toB24(ext))?.id);
    return cdrDisagreements(view, crm, userOf);
  }

  /**
   * What earlier passes left for this call: the live CRM state (kept 3 days after the call), else
   * the registration ledger (180 days, every run): a CALL_ID already registered.
   */
  async #earlier(callKey: string): Promise<CrmCallState> {
    const live = await this.deps.liveCrmState.load(callKey);
    if (live.crmCallId) return live;
    const reg = await this.deps.ledger.get(callKey);
    if (!reg) return live;
    return { ...live, crmCallId: reg.callId, source: reg.source, ...(reg.userId !== undefined ? { registeredUserId: reg.userId } : {}) };
  }

  /** A wrong responsible in the statistics may already be right on the activity (an earlier run fixed it). */
  /** …and then the activity's responsible is the call's responsible (the statistics row keeps the first one). */
  async #confirmed(facts: CrmCallFacts | undefined, found: Problem[]): Promise<{ problems: Problem[]; activityResponsible?: number }> {
    const problems: Problem[] = [];
    let activityResponsible: number | undefined;
    for (const p of found) {
      if (p.kind === "responsible" && facts?.activityId) {
        const act = await this.deps.reprocess.gateway.call<{ RESPONSIBLE_ID?: string | number }>("crm.activity.get", { id: facts.activityId }).catch(() => undefined);
        if (act && Number(act.RESPONSIBLE_ID) === p.expected) {
          activityResponsible = p.expected;
          continue;
        }
      }
      problems.push(p);
    }
    return activityResponsible === undefined ? { problems } : { problems, activityResponsible };
  }

  /** The call's stages through the pipeline, from what the live pass left (a CALL_ID or nothing). */
  /** Returns the skip reason when the pipeline decided the call is not for the CRM. */
  async #land(call: RebuiltCall, summary: CallSummary | undefined, live: CrmCallState, check: CallCheck, failures: string[]): Promise<string | undefined> {
    const { journal } = this.deps.reprocess;
    if (!summary) {
      // First time the journal hears of this call: it is filed under the time it happened.
      await journal.update(call.callKey, { direction: call.callFull.direction, clientNumber: call.callFull.client_number, lineNumber: call.callFull.line_number }, call.startedAt);
    }
    const seed = emptyCrmState();
    if (live.crmCallId)
      Object.assign(seed, { crmCallId: live.crmCallId, source: live.source, registeredUserId: live.registeredUserId, entityType: live.entityType, entityId: live.entityId });
    let outcome = await this.#replay(call, seed, "", false);
    // The CALL_ID registered live, or the portal's own click-to-call CALL_ID, is gone from
    // Bitrix24's active calls (it cannot be finished, and the call history has no row for it):
    // the connector registers the call itself.
    const earlier = live.crmCallId ?? call.callFull.click_to_call?.crm_call_id;
    if (earlier && outcome.summary?.status === "failed" && /Call is not found/i.test(outcome.summary.reason ?? "")) {
      check.actions.push(`the earlier CALL_ID ${earlier} could not be finished: registered anew`);
      outcome = await this.#replay(call, emptyCrmState(), "again:", true);
    }
    if (outcome.error) return void failures.push(`Bitrix24 did not answer: ${outcome.error}`);
    const st = outcome.state;
    if (st.skipped && !st.crmCallId) return st.skipped;
    const s = outcome.summary;
    if (s?.status !== "delivered") return void failures.push(s?.reason ?? "the pipeline did not deliver the call");
    check.actions.push(live.crmCallId && st.crmCallId === live.crmCallId ? "finished" : "registered and finished");
    check.crmCallId = st.crmCallId;
    if (s.responsibleUserId) check.responsibleUserId = Number(s.responsibleUserId);
    const record = expectedRecord(this.deps.reprocess, call);
    if (record) {
      if (s.recordFile) check.actions.push("recording attached");
      else failures.push(`recording not attached (${record}): ${s.lastErrorType ?? "see the call's journal"}`);
    }
    return undefined;
  }

  /** The call's stages through the pipeline; `own`: as the connector's own call (no portal CALL_ID to adopt). */
  async #replay(call: RebuiltCall, seed: CrmCallState, tag: string, own: boolean): Promise<{ state: CrmCallState; summary?: CallSummary; error?: string }> {
    const deps = this.deps.reprocess;
    const key = call.callKey;
    await deps.crmState.save(key, seed);
    const pipeline = new CallPipeline({ ...deps, gateway: tagged(deps.gateway, tag) });
    const stages = own ? stagesOf(call).map((s) => ({ ...s, call: { ...s.call, click_to_call: null } }) as StageEvent) : stagesOf(call);
    for (let i = 0; i < stages.length; i++) {
      const err = await this.#withRetries(() => pipeline.handle(key, stages[i], i));
      if (err) return { state: await deps.crmState.load(key), error: err };
    }
    return { state: await deps.crmState.load(key), summary: (await deps.journal.get(key))?.summary };
  }

  async #withRetries(fn: () => Promise<void>): Promise<string | undefined> {
    const attempts = this.deps.attempts ?? 3;
    let last = "";
    for (let a = 1; a <= attempts; a++) {
      try {
        await fn();
        return undefined;
      } catch (err) {
        last = (err as Error).message;
        if (isFinalB24Error(err) || a === attempts) break;
        await new Promise((r) => setTimeout(r, (this.deps.retryDelayMs ?? 2000) * a));
      }
    }
    return last || "unknown error";
  }

  async #attach(call: RebuiltCall, facts: CrmCallFacts, check: CallCheck): Promise<string | undefined> {
    const deps = this.deps.reprocess;
    const crm = { ...emptyCrmState(), crmCallId: facts.callId };
    const ev = { ...lastStage(call), call: stagesOf(call).at(-1)!.call } as StageEvent;
    await attachRecording(new StageStep(deps, call.callKey, stagesOf(call).length - 1, ev, crm), facts.activityId);
    const after = await crmCallByKey(deps.gateway, call.callKey).catch(() => undefined);
    if (after?.recordFileId || after?.recordUrl) {
      check.actions.push("recording attached");
      return undefined;
    }
    const last = (await deps.journal.get(call.callKey))?.entries.filter((e) => e.kind === "error" && e.method === "attachRecord").at(-1);
    return `recording not attached: ${last?.error?.message ?? "the CRM still shows no record"}`;
  }

  async #reassign(facts: CrmCallFacts, expected: number, check: CallCheck): Promise<string | undefined> {
    if (!facts.activityId) return `finished for user ${facts.portalUserId}, should be ${expected}; the call has no CRM activity to correct`;
    const journal = this.deps.reprocess.journal;
    const params = { id: facts.activityId, fields: { RESPONSIBLE_ID: expected } };
    await journal.record(facts.externalCallId, { kind: "request", method: "crm.activity.update", params, stage: "reprocess" });
    try {
      await this.deps.reprocess.gateway.call("crm.activity.update", params);
    } catch (err) {
      const text = (err as { description?: string }).description || (err as Error).message;
      await journal.record(facts.externalCallId, { kind: "error", method: "crm.activity.update", error: { type: (err as Error).name, message: text }, stage: "reprocess" });
      return `responsible not corrected: ${text}`;
    }
    await journal.record(facts.externalCallId, { kind: "result", method: "crm.activity.update", result: true, stage: "reprocess" });
    check.actions.push(`activity ${facts.activityId}: responsible ${facts.portalUserId} → ${expected}`);
    check.responsibleUserId = expected;
    return undefined;
  }

  async #journal(call: RebuiltCall, check: CallCheck, liveResult: NonNullable<CallSummary["liveResult"]>, before: CallSummary | undefined): Promise<void> {
    const journal = this.deps.reprocess.journal;
    const count = String(Number(before?.reprocessCount ?? 0) + 1);
    await journal.record(call.callKey, {
      kind: "note",
      stage: "reprocess",
      text: `reprocess ${this.deps.runId}: ${check.verdict}; found: ${check.problems.join("; ")}; did: ${check.actions.join("; ") || "nothing"}${check.reason ? `; ${check.reason}` : ""}`,
    });
    if (check.verdict === "fixed") {
      await journal.update(call.callKey, {
        status: "reprocessed",
        liveResult,
        verify: "fixed",
        reprocessRun: this.deps.runId,
        reprocessCount: count,
        reason: `reprocessed: ${check.actions.join("; ")}`,
      });
    } else {
      await journal.update(call.callKey, {
        status: "failed",
        liveResult,
        verify: "still_wrong",
        reprocessRun: this.deps.runId,
        reprocessCount: count,
        reason: check.reason ?? check.problems.join("; "),
      });
    }
  }
}

/** Another id namespace for a second attempt in the same run (a new register must not join the first). */
function tagged(gateway: PipelineDeps["gateway"], tag: string): PipelineDeps["gateway"] {
  if (!tag) return gateway;
  return { ...gateway, chain: (commands, id) => gateway.chain(commands, id ? `${tag}${id}` : undefined) };
}
