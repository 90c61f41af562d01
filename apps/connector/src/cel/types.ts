import type { CallFull, StageEvent, TrackerConfig } from "../tracker/index.js";
import type { CdrRow, CelCallRows } from "./rows.js";

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
  /** The call's CDR rows, when the source has them (an independent check of the CRM: reprocess/cdr-check). */
  cdr?: readonly CdrRow[];
}

export type RebuildConfig = Partial<TrackerConfig>;
