/**
 * Where reprocessing gets a call's stage events from. The source of truth is Asterisk's own CEL
 * (calls rebuilt through the live tracker, ../cel); for a call the live connector saw end within
 * the outbox's retention, its own durable stage events are a second way (used when CEL has no
 * rows for it, or when no CEL store is configured).
 */
import { CelRebuildError, openCelSource, rebuildCall, rebuildCalls, type CelConfig, type CelSource, type RebuiltCall, type RebuildConfig } from "../cel/index.js";
import type { CallOutbox } from "../outbox/call-outbox.js";
import type { StageEvent } from "../tracker/index.js";

/** Calls of a period, or one call by its key (= EXTERNAL_CALL_ID = the CEL linkedid). */
export interface CallSource {
  calls(from: Date, to: Date): AsyncIterable<RebuiltCall>;
  call(callKey: string): Promise<RebuiltCall | undefined>;
  close(): Promise<void>;
}

/** A call rebuilt from its stage events (the last one must be call_ended). */
export function rebuiltFromStages(callKey: string, stages: StageEvent[]): RebuiltCall | undefined {
  const last = stages.at(-1);
  if (!last || last.stage !== "call_ended") return undefined;
  return { linkedid: last.call.linkedids[0] ?? callKey, callKey, startedAt: last.call.started_at, stages, callFull: last.call, recordingFile: last.call.record, skipped: 0 };
}

/** The live connector's own stage events of one call (kept a day after the call ended). */
export async function outboxCall(outbox: CallOutbox, callKey: string): Promise<RebuiltCall | undefined> {
  return rebuiltFromStages(callKey, (await outbox.readAll(callKey)) as StageEvent[]);
}

/** Calls rebuilt from the configured CEL store (MySQL/MariaDB, PostgreSQL, CSV) through the live tracker. */
export async function celCallSource(config: CelConfig, tracker: RebuildConfig, onSkip?: (linkedid: string, error: Error) => void): Promise<CallSource> {
  const source = await openCelSource(config);
  return fromCelSource(source, tracker, onSkip);
}

/** A CEL row source as a call source (calls rebuilt on the fly, one at a time). */
export function fromCelSource(source: CelSource, tracker: RebuildConfig, onSkip?: (linkedid: string, error: Error) => void): CallSource {
  return {
    calls: (from, to) => rebuildCalls(source, from, to, tracker, onSkip ? { onSkip } : {}),
    async call(callKey) {
      const rows = await source.call(callKey);
      if (!rows || rows.cel.length === 0) return undefined;
      try {
        return rebuildCall(rows.cel, rows.cdr, tracker);
      } catch (err) {
        if (err instanceof CelRebuildError) {
          onSkip?.(callKey, err);
          return undefined;
        }
        throw err;
      }
    },
    close: () => source.close(),
  };
}

/** CEL first, then the outbox; the period comes from CEL only (the outbox has no time index). */
export function withOutboxFallback(cel: CallSource | undefined, outbox: CallOutbox): CallSource {
  return {
    async *calls(from, to) {
      if (cel) yield* cel.calls(from, to);
    },
    async call(callKey) {
      return (await cel?.call(callKey)) ?? (await outboxCall(outbox, callKey));
    },
    close: async () => cel?.close(),
  };
}
