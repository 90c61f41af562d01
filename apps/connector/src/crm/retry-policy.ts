/**
 * Which failures are retried and after how long. Pure: no timers, no I/O — the queue worker asks
 * `decide()` and sleeps itself, so the policy is unit-testable on its own.
 *
 *   limit / overload  (B24RateLimitError, B24OperatingLimitError)  retried; the wait comes from the
 *                     shared limiter / operating tracker, plus a small backoff here
 *   5xx, network, timeout (B24ServerError, B24TransportError)      retried, exponential backoff + jitter
 *   business (B24BusinessError), auth (B24AuthError)               never retried
 *
 * Retrying stops after `maxElapsedMs` (default 6 h): a box that is down longer than that is an
 * operations problem, and the batch job then fails visibly (kept in the failed set for re-drive).
 */
import { B24AuthError, B24BusinessError, B24ClientClosedError, B24RateLimitError, isRetryable } from "./errors.js";

export interface RetryConfig {
  /** First backoff (default 500 ms). */
  baseDelayMs?: number;
  /** Backoff ceiling (default 30 000 ms). */
  maxDelayMs?: number;
  /** Give up after retrying this long (default 6 h). */
  maxElapsedMs?: number;
  /** Jitter share of the delay, 0..1 (default 0.2). */
  jitter?: number;
}

export interface RetryDecision {
  retry: boolean;
  delayMs: number;
}

export class RetryPolicy {
  constructor(
    private readonly cfg: RetryConfig = {},
    private readonly random: () => number = Math.random,
  ) {}

  /** `attempt` counts failures so far (1 after the first failure); `elapsedMs` since the first try. */
  decide(err: unknown, attempt: number, elapsedMs: number): RetryDecision {
    if (err instanceof B24BusinessError || err instanceof B24AuthError || err instanceof B24ClientClosedError) return { retry: false, delayMs: 0 };
    if (!isRetryable(err)) return { retry: false, delayMs: 0 };
    if (elapsedMs >= (this.cfg.maxElapsedMs ?? 6 * 3600_000)) return { retry: false, delayMs: 0 };
    const base = this.cfg.baseDelayMs ?? 500;
    const max = this.cfg.maxDelayMs ?? 30_000;
    // Rate limits: the limiter already paces us; keep only a short step so lanes don't spin.
    const raw = err instanceof B24RateLimitError ? base : Math.min(max, base * 2 ** Math.min(20, attempt - 1));
    const j = this.cfg.jitter ?? 0.2;
    const delayMs = Math.max(0, Math.round(raw * (1 - j + 2 * j * this.random())));
    return { retry: true, delayMs };
  }
}
