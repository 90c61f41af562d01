import { createTrackerState, track, type CallFull, type StageEvent } from "../tracker/index.js";
import type { RebuildConfig, RebuiltCall } from "./types.js";
import type { CdrRow, CelRow } from "./rows.js";
import { translateCall } from "./translate.js";

/** A call whose CEL rows give the tracker nothing to track (no row, or only ignored channels). */
export class CelRebuildError extends Error {
  constructor(
    readonly linkedid: string,
    message: string,
  ) {
    super(`call ${linkedid || "(no linkedid)"}: ${message}`);
    this.name = "CelRebuildError";
  }
}

/** (eventtime, id) order; rows without id keep their relative order (stable sort). */
export function sortRows(rows: CelRow[]): CelRow[] {
  return rows.sort((a, b) => a.eventtime.getTime() - b.eventtime.getTime() || (a.id ?? 0) - (b.id ?? 0));
}

/**
 * Rebuilds one call from its CEL rows (every row of its linkedid(s), any order) through a fresh
 * tracker: the result is what the live connector would have produced for the same call.
 * `stages` holds every stage event, including those of calls merged into this one (transfers);
 * `callFull` is the surviving call's call_ended snapshot. Throws CelRebuildError when nothing
 * in the rows is a call the tracker tracks.
 */
export function rebuildCall(rows: readonly CelRow[], cdr: readonly CdrRow[] | undefined, config: RebuildConfig = {}): RebuiltCall {
  const ordered = sortRows(rows.slice());
  const linkedid = ordered.find((r) => r.uniqueid === r.linkedid)?.linkedid ?? ordered[0]?.linkedid ?? "";
  if (ordered.length === 0) throw new CelRebuildError(linkedid, "no CEL rows");
  const { events, recordingFile, skipped } = translateCall(ordered, cdr);
  const state = createTrackerState();
  const stages: StageEvent[] = [];
  let final: CallFull | undefined;
  let finalKey = "";
  for (const { at, message } of events) {
    const out = track(state, message, at, config);
    for (const e of out.events) {
      stages.push(e);
      if (e.stage === "call_ended" && e.call.merged_into === null) {
        final = e.call;
        finalKey = e.callKey;
      }
    }
  }
  if (!final) throw new CelRebuildError(linkedid, "the rows hold no channel the tracker tracks");
  return {
    linkedid,
    callKey: finalKey,
    startedAt: ordered[0]!.eventtime.getTime(),
    stages,
    callFull: final,
    recordingFile,
    skipped,
    ...(cdr ? { cdr } : {}),
  };
}
