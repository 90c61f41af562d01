import type { CelSource, RebuildConfig, RebuiltCall } from "./types.js";
import { CelRebuildError, rebuildCall } from "./rebuild.js";

export interface RebuildCallsOptions {
  /** A call that could not be rebuilt (CelRebuildError); the run goes on. Default: ignored. */
  onSkip?: (linkedid: string, error: CelRebuildError) => void;
}

/** Every call that starts in [from, to), rebuilt one by one as the source streams them. */
export async function* rebuildCalls(source: CelSource, from: Date, to: Date, config: RebuildConfig = {}, options: RebuildCallsOptions = {}): AsyncIterable<RebuiltCall> {
  for await (const call of source.calls(from, to)) {
    try {
      yield rebuildCall(call.cel, call.cdr, config);
    } catch (err) {
      if (!(err instanceof CelRebuildError)) throw err;
      options.onSkip?.(call.linkedid, err);
    }
  }
}
