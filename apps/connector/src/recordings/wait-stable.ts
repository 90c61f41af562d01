import { stat } from "node:fs/promises";
import { setTimeout as sleepMs } from "node:timers/promises";
import { RecordingNotFoundError, RecordingNotStableError } from "./errors.js";

/**
 * Waits until the recording exists and has stopped growing. At Hangup, MixMonitor may still be
 * flushing the file (and a post-processing script may still be writing it), so reading it at
 * once gives a truncated or missing recording. Bounded: after `timeoutMs` it gives up with
 * RecordingNotFoundError (never appeared) or RecordingNotStableError (kept growing).
 */

export interface WaitStableOptions {
  /** Overall limit (default 30 s). */
  timeoutMs?: number;
  /** Gap between size checks (default 500 ms). */
  pollMs?: number;
  /** Identical sizes in a row that count as "stable" (default 2, i.e. one unchanged interval). */
  stableChecks?: number;
  /** Smaller files are treated as not written yet (default 1: an empty file is not a recording). */
  minBytes?: number;
  signal?: AbortSignal;
  /** Injected for tests: size of the file, undefined when it does not exist. */
  sizeOf?: (path: string) => Promise<number | undefined>;
  /** Injected for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injected for tests: ms clock. */
  now?: () => number;
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR") {
      return undefined;
    }
    throw err;
  }
}

export async function waitForStableFile(path: string, options: WaitStableOptions = {}): Promise<{ path: string; size: number }> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const pollMs = options.pollMs ?? 500;
  const stableChecks = Math.max(1, options.stableChecks ?? 2);
  const minBytes = options.minBytes ?? 1;
  const sizeOf = options.sizeOf ?? fileSize;
  const sleep = options.sleep ?? ((ms: number, signal?: AbortSignal) => sleepMs(ms, undefined, { signal }));
  const now = options.now ?? Date.now;

  const deadline = now() + timeoutMs;
  let last: number | undefined;
  let same = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const size = await sizeOf(path);
    if (size !== undefined && size >= minBytes) {
      same = size === last ? same + 1 : 1;
      last = size;
      if (same >= stableChecks) return { path, size };
    } else {
      same = 0;
      last = size;
    }
    if (now() >= deadline) {
      if (last === undefined || last < minBytes) throw new RecordingNotFoundError(path);
      throw new RecordingNotStableError(path, last);
    }
    await sleep(Math.min(pollMs, Math.max(0, deadline - now())), options.signal);
  }
}
