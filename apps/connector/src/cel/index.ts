/**
 * Calls rebuilt from Asterisk's own records (CEL, and CDR when available): the second source of
 * truth for reprocessing (issue 10, docs/cel.md).
 *
 * One model, two inputs: each call's CEL rows are translated into the AMI-like events the live
 * tracker consumes (Newchannel, Newstate, DialBegin/DialEnd, BridgeEnter/Leave, VarSet
 * MIXMONITOR_FILENAME, BlindTransfer/AttendedTransfer, LocalOptimization…, Hangup with its cause)
 * and fed through the same pure tracker (`../tracker`). The output is exactly the tracker's stage
 * events and `call_full`, so every setting, hook and CRM rule applies unchanged.
 *
 *   const source = openCelSource(config.cel);            // MySQL/MariaDB, PostgreSQL or CSV
 *   for await (const call of rebuildCalls(source, from, to, config.tracker)) {
 *     call.stages;     // StageEvent[]: conversation_requested/accepted/ended…, call_ended last
 *     call.callFull;   // the call_ended snapshot (== call.stages.at(-1).call)
 *   }
 *   await source.close();
 *
 * A source yields the calls that START in [from, to) — complete, even when their rows straddle
 * the period boundary — streaming (a week of calls is never loaded at once).
 */
import type { CallFull, StageEvent, TrackerConfig } from "../tracker/index.js";
import type { CelCallRows } from "./rows.js";

export type { CdrRow, CelCallRows, CelRow } from "./rows.js";

/** Where the CEL (and CDR) rows are read from. */
export interface CelSource {
  /**
   * Calls whose first channel (uniqueid = linkedid) starts in [from, to), each with all its rows
   * in event order (eventtime, id) — also the rows after `to` and those of calls bridged into it
   * (linkedid change) — one call at a time, in the order the calls end. Calls still in progress
   * when the rows run out are left for the next run.
   */
  calls(from: Date, to: Date): AsyncIterable<CelCallRows>;
  /** The rows of one call by linkedid (any age), or undefined when the PBX has none. */
  call(linkedid: string): Promise<CelCallRows | undefined>;
  close(): Promise<void>;
}

/** One call rebuilt from CEL through the live tracker. */
export interface RebuiltCall {
  /** The linkedid the CEL rows were grouped by (the call's first uniqueid). */
  linkedid: string;
  /** The tracker's call key (same as the live connector would have used). */
  callKey: string;
  /** Epoch ms of the first CEL row. */
  startedAt: number;
  /** The tracker's stage events for this call, in order; `call_ended` is last. */
  stages: StageEvent[];
  /** The final `call_full` (the call_ended snapshot). */
  callFull: CallFull;
  /** Recording file (MixMonitor app data, else CDR recordingfile), "" when none. */
  recordingFile: string;
  /** CEL rows the translation could not use (unknown event types…), for logs. */
  skipped: number;
}

export type RebuildConfig = Partial<TrackerConfig>;

export { celConfigSchema, type CelConfig, type CelConfigInput } from "./config.js";
export { rebuildCall, CelRebuildError } from "./rebuild.js";
export { rebuildCalls, type RebuildCallsOptions } from "./rebuild-calls.js";
export { translateCall, type TimedEvent, type Translation } from "./translate.js";
export { openCelSource } from "./open.js";
export { CelSourceError } from "./sql-driver.js";
export { CelTimeError } from "./time.js";
export { CelCsvError } from "./csv-rows.js";
