/** The public shapes of reprocessing: run parameters and summaries (HTTP contract), per-call checks. */

export type Only = "failed" | "missing" | "all";
export type RunStatus = "queued" | "running" | "done" | "cancelled" | "failed";

export interface RunParams {
  /** ISO-8601 bounds of the period (calls that started in [from, to)). */
  from: string;
  to: string;
  only: Only;
  dryRun: boolean;
  /** Only these calls (tracker call keys = EXTERNAL_CALL_ID = CEL linkedid), any age. */
  callKeys?: string[];
  /** Who started it. */
  trigger: "api" | "cli" | "schedule";
}

export interface RunCounts {
  /** Calls looked at. */
  checked: number;
  /** Already right in the CRM (or rightly not there: internal calls, black list…). */
  alreadyFine: number;
  /** Put right by this run. */
  fixed: number;
  /** Still not right after this run: listed in the report for a person to look at. */
  stillWrong: number;
}

export interface RunSummary {
  id: string;
  status: RunStatus;
  params: RunParams;
  startedAt: string;
  finishedAt?: string;
  progress: { total: number; done: number; etaSeconds: number };
  counts?: RunCounts;
  error?: string;
}

/** What a run found and did for one call. */
export interface CallCheck {
  callKey: string;
  /** When the call started (ISO). */
  startedAt: string;
  direction?: string;
  clientNumber?: string;
  /** What was not right before the run (human text, one item per problem). */
  problems: string[];
  /** What the run did (or, in a dry run, would do). */
  actions: string[];
  verdict: "fine" | "fixed" | "still_wrong";
  /** Why a person should look at it (still_wrong), or why the call is rightly not in the CRM. */
  reason?: string;
  crmCallId?: string;
  responsibleUserId?: number;
  /** Where the CRM after the run and Asterisk's CDR rows disagree (an independent check; reprocess/cdr-check). */
  cdrDisagreements?: string[];
}
