/**
 * One reprocessing run: find the candidate calls, check each against the CRM, put right what is
 * missing (CallFixer), record every call's verdict with the run, report progress and an ETA.
 *
 * Candidates by `only`:
 *   failed   the journal's failed index (calls first seen in the period)
 *   missing  calls Asterisk's CEL has for the period that the journal never saw
 *   all      every call of the period in CEL (cross-checked against voximplant.statistic.get:
 *            not in the CRM, no record, another responsible) + the failed index
 *   callKeys exactly these calls, any age
 *
 * Calls are streamed (a week is never held in memory) and handled `concurrency` at a time; a
 * resumed run skips the calls it already recorded.
 */
import type { Logger } from "pino";
import type { RebuiltCall } from "../cel/index.js";
import type { CallSummary, Journal } from "../journal/index.js";
import type { CrmGateway } from "../crm/gateway.js";
import { crmCallByCallId, crmCallByKey, crmCallsInPeriod, type CrmCallFacts } from "./crm-facts.js";
import type { CallFixer } from "./call-fixer.js";
import type { CallSource } from "./source.js";
import type { RegistrationLedger } from "../stages/registration-ledger.js";
import type { RunStore } from "./store.js";
import type { CallCheck, RunSummary } from "./types.js";

export interface EngineDeps {
  fixer: CallFixer;
  source: CallSource;
  journal: Journal;
  /** The reprocessing gateway (low priority). */
  gateway: CrmGateway;
  store: RunStore;
  /** Calls registered by the live pass or any earlier run (looked up by EXTERNAL_CALL_ID). */
  ledger: RegistrationLedger;
  concurrency: number;
  inProgressGraceMs: number;
  logger: Logger;
  now?: () => number;
}

interface Candidate {
  call?: RebuiltCall;
  callKey: string;
  facts?: CrmCallFacts;
  /** Look the CRM up for this call alone (outside the prefetched period). */
  lookup: boolean;
}

/** Margin around the period when reading the CRM's statistics (clock and zone differences). */
const FACTS_MARGIN_MS = 6 * 3600_000;

export class ReprocessEngine {
  readonly #now: () => number;
  #halted = false;

  /** The process is stopping: finish the calls in flight, leave the run `running` (it resumes later). */
  halt(): void {
    this.#halted = true;
  }

  get halted(): boolean {
    return this.#halted;
  }

  constructor(readonly deps: EngineDeps) {
    this.#now = deps.now ?? Date.now;
  }

  /** Runs `run` to its end (or until cancelled); returns the final summary (also stored). */
  async execute(run: RunSummary, onProgress?: (run: RunSummary) => void): Promise<RunSummary> {
    const { store } = this.deps;
    const started = this.#now();
    const current: RunSummary = { ...run, status: "running", progress: { total: 0, done: 0, etaSeconds: 0 } };
    delete current.error;
    await store.save(current);
    const prior = await store.calls(run.id);
    let total = prior.counts.checked;
    let done = prior.counts.checked;
    const resumedDone = done;
    let cancelled = false;
    const publish = async () => {
      const rate = (done - resumedDone) / Math.max(1, (this.#now() - started) / 1000);
      current.progress = { total, done, etaSeconds: rate > 0 ? Math.round((total - done) / rate) : 0 };
      current.counts = { ...counts };
      onProgress?.(current);
      if (!cancelled && (await store.cancelRequested(run.id))) cancelled = true;
      await store.patch(run.id, { progress: current.progress, counts: current.counts });
    };
    const counts = prior.counts;
    const timer = setInterval(() => void publish().catch(() => undefined), 1000);
    timer.unref();
    const inFlight = new Set<Promise<void>>();
    try {
      for await (const cand of this.#candidates(run)) {
        if (this.#halted || cancelled || (cancelled = await store.cancelRequested(run.id))) break;
        if (await store.callDone(run.id, cand.callKey)) continue;
        total++;
        while (inFlight.size >= this.deps.concurrency) await Promise.race(inFlight);
        const p = this.#one(run, cand).then((check) => {
          counts.checked++;
          if (check.verdict === "fine") counts.alreadyFine++;
          else if (check.verdict === "fixed") counts.fixed++;
          else counts.stillWrong++;
          done++;
        });
        const tracked = p.finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
      }
      await Promise.all(inFlight);
    } catch (err) {
      await Promise.allSettled(inFlight);
      clearInterval(timer);
      const failed = {
        ...current,
        status: "failed" as const,
        finishedAt: new Date(this.#now()).toISOString(),
        error: (err as Error).message,
        counts: (await store.calls(run.id)).counts,
      };
      await store.save(failed);
      return failed;
    }
    clearInterval(timer);
    if (this.#halted && !cancelled) {
      await store.patch(run.id, { progress: current.progress, counts: { ...counts } });
      return { ...current, counts: { ...counts } };
    }
    const final = (await store.calls(run.id)).counts;
    const summary: RunSummary = {
      ...current,
      status: cancelled ? "cancelled" : "done",
      finishedAt: new Date(this.#now()).toISOString(),
      progress: { total: cancelled ? total : done, done, etaSeconds: 0 },
      counts: final,
    };
    await store.save(summary);
    onProgress?.(summary);
    return summary;
  }

  async #one(run: RunSummary, cand: Candidate): Promise<CallCheck> {
    const { store, journal, fixer } = this.deps;
    let check: CallCheck;
    try {
      const summary = await journal.summary(cand.callKey);
      if (!cand.call) {
        check = {
          callKey: cand.callKey,
          startedAt: new Date(summary?.firstSeenAt ?? 0).toISOString(),
          problems: [summary?.reason ?? "unknown call"],
          actions: [],
          verdict: "still_wrong",
          reason: "neither CEL nor the connector's stored stages have this call: it cannot be rebuilt",
        };
      } else {
        // Find it first: a call the live pass registered is looked up by its EXTERNAL_CALL_ID when
        // the period's statistics do not have it (it may carry another CALL_START_DATE).
        const registered = !!summary?.crmCallId || (await this.deps.ledger.get(cand.callKey)) !== undefined;
        let facts = cand.lookup || (!cand.facts && registered) ? await crmCallByKey(this.deps.gateway, cand.callKey) : cand.facts;
        const portalCallId = cand.call.callFull.click_to_call?.crm_call_id;
        if (!facts && portalCallId) facts = await crmCallByCallId(this.deps.gateway, portalCallId, cand.callKey);
        check = await fixer.run(cand.call, facts, summary);
      }
    } catch (err) {
      check = {
        callKey: cand.callKey,
        startedAt: new Date(cand.call?.startedAt ?? 0).toISOString(),
        problems: [],
        actions: [],
        verdict: "still_wrong",
        reason: `error while reprocessing: ${(err as Error).message}`,
      };
      this.deps.logger.warn({ callKey: cand.callKey, err: (err as Error).message }, "reprocess: call failed");
    }
    await store.saveCall(run.id, check);
    return check;
  }

  /** Whether the live pipeline may still be working on this call (leave it alone). */
  #busy(summary: CallSummary | undefined): boolean {
    return summary?.status === "in_progress" && summary.updatedAt > this.#now() - this.deps.inProgressGraceMs;
  }

  async *#candidates(run: RunSummary): AsyncGenerator<Candidate> {
    const { source, journal } = this.deps;
    const p = run.params;
    if (p.callKeys?.length) {
      for (const callKey of p.callKeys) yield { callKey, lookup: true, ...(await this.#rebuilt(callKey)) };
      return;
    }
    const from = new Date(p.from);
    const to = new Date(p.to);
    const failed = new Set<string>();
    for (const { callKey } of await journal.failedKeys()) {
      const s = await journal.summary(callKey);
      if (s && s.firstSeenAt >= from.getTime() && s.firstSeenAt < to.getTime()) failed.add(callKey);
    }
    const seen = new Set<string>();
    if (p.only !== "failed") {
      const facts = await crmCallsInPeriod(this.deps.gateway, new Date(from.getTime() - FACTS_MARGIN_MS), new Date(to.getTime() + FACTS_MARGIN_MS));
      for await (const call of source.calls(from, to)) {
        seen.add(call.callKey);
        const summary = await journal.summary(call.callKey);
        if (this.#busy(summary)) continue;
        if (p.only === "missing" && summary) continue;
        const f = facts.get(call.callKey);
        yield { call, callKey: call.callKey, lookup: false, ...(f ? { facts: f } : {}) };
      }
      if (p.only === "missing") return;
    }
    for (const callKey of failed) {
      if (seen.has(callKey)) continue;
      if (this.#busy(await journal.summary(callKey))) continue;
      yield { callKey, lookup: true, ...(await this.#rebuilt(callKey)) };
    }
  }

  async #rebuilt(callKey: string): Promise<{ call?: RebuiltCall }> {
    const call = await this.deps.source.call(callKey);
    return call ? { call } : {};
  }
}
