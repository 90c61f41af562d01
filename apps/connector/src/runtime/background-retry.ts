import { setTimeout as sleep } from "node:timers/promises";

export interface BackgroundRetryOptions {
  signal: AbortSignal;
  /** First wait after a failure (default 1 s); doubles up to maxDelayMs (default 60 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  onError: (err: Error, attempt: number, retryInMs: number) => void;
}

/**
 * Runs `task` until it succeeds or the signal stops it, waiting longer after each failure
 * (jittered exponential back-off). Never rejects: start-up work that needs Bitrix24 (users,
 * external lines) must not hold AMI, HTTP or the call queue back.
 */
export async function retryInBackground(task: () => Promise<void>, o: BackgroundRetryOptions): Promise<boolean> {
  let delay = o.initialDelayMs ?? 1000;
  const max = o.maxDelayMs ?? 60_000;
  for (let attempt = 1; !o.signal.aborted; attempt++) {
    try {
      await task();
      return true;
    } catch (err) {
      if (o.signal.aborted) return false;
      const wait = Math.round(delay * (0.8 + 0.4 * Math.random()));
      o.onError(err instanceof Error ? err : new Error(String(err)), attempt, wait);
      try {
        await sleep(wait, undefined, { signal: o.signal });
      } catch {
        return false;
      }
      delay = Math.min(max, delay * 2);
    }
  }
  return false;
}

/** Resolves with the promise's value, or with `undefined` once `ms` passed (the promise runs on). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise.catch(() => undefined), expired]);
  } finally {
    clearTimeout(timer);
  }
}
