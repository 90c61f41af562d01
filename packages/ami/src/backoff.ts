/** Reconnect delays: capped exponential backoff with jitter. */
export interface BackoffOptions {
  /** First delay. Default 500 ms. */
  initialDelayMs?: number;
  /** Cap. Default 30 s. */
  maxDelayMs?: number;
  /** Growth per attempt. Default 2. */
  multiplier?: number;
  /** Random spread as a fraction of the delay (0.2 = ±20 %). Default 0.2. */
  jitter?: number;
}

/** Delay before retry number `attempt` (0-based). `random` returns [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = options.initialDelayMs ?? 500;
  const max = options.maxDelayMs ?? 30_000;
  const multiplier = options.multiplier ?? 2;
  const jitter = Math.min(Math.max(options.jitter ?? 0.2, 0), 1);
  const base = Math.min(max, initial * Math.pow(multiplier, Math.min(attempt, 64)));
  const spread = base * jitter * (2 * random() - 1);
  return Math.round(Math.min(max, Math.max(0, base + spread)));
}

/** Stateful helper: `next()` gives the next delay, `reset()` after a successful login. */
export class Backoff {
  #attempt = 0;
  constructor(
    readonly options: BackoffOptions = {},
    readonly random: () => number = Math.random,
  ) {}

  /** Retries scheduled since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  next(): number {
    return backoffDelay(this.#attempt++, this.options, this.random);
  }

  reset(): void {
    this.#attempt = 0;
  }
}
