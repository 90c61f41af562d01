import { HOOK_ERROR_KINDS, type HookErrorKind } from "./errors.js";
import { HOOK_NAMES, type HookName } from "./names.js";

/** Per-hook counters for /status (Itgrix shows `customizer.methods`; we add what happened). */
export interface HookCounters {
  enabled: boolean;
  /** Runs of the hook (disabled hooks are not counted). */
  calls: number;
  applied: number;
  cancelled: number;
  /** Runs whose answer was not used (default taken); the reason is in `errors`. */
  defaulted: number;
  errors: Record<HookErrorKind, number>;
  /** 95th percentile of the last durations (ms), null before the first run. */
  p95Ms: number | null;
  lastError: { at: string; kind: HookErrorKind; message: string } | null;
}

export type HookStatsSnapshot = Record<HookName, HookCounters>;

const WINDOW = 512;

class HookCounter {
  calls = 0;
  applied = 0;
  cancelled = 0;
  defaulted = 0;
  errors = Object.fromEntries(HOOK_ERROR_KINDS.map((k) => [k, 0])) as Record<HookErrorKind, number>;
  lastError: HookCounters["lastError"] = null;
  private durations: number[] = [];
  private next = 0;

  record(durationMs: number): void {
    if (this.durations.length < WINDOW) this.durations.push(durationMs);
    else this.durations[this.next] = durationMs;
    this.next = (this.next + 1) % WINDOW;
  }

  p95(): number | null {
    if (this.durations.length === 0) return null;
    const sorted = [...this.durations].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!;
  }
}

export class HookStats {
  private readonly counters = new Map<HookName, HookCounter>(HOOK_NAMES.map((h) => [h, new HookCounter()]));

  private get(hook: HookName): HookCounter {
    return this.counters.get(hook)!;
  }

  applied(hook: HookName, durationMs: number): void {
    const c = this.get(hook);
    c.calls++;
    c.applied++;
    c.record(durationMs);
  }

  cancelled(hook: HookName, durationMs: number): void {
    const c = this.get(hook);
    c.calls++;
    c.cancelled++;
    c.record(durationMs);
  }

  failed(hook: HookName, kind: HookErrorKind, message: string, durationMs: number): void {
    const c = this.get(hook);
    c.calls++;
    c.defaulted++;
    c.errors[kind]++;
    c.lastError = { at: new Date().toISOString(), kind, message };
    c.record(durationMs);
  }

  snapshot(isEnabled: (hook: HookName) => boolean): HookStatsSnapshot {
    const out = {} as HookStatsSnapshot;
    for (const hook of HOOK_NAMES) {
      const c = this.get(hook);
      out[hook] = {
        enabled: isEnabled(hook),
        calls: c.calls,
        applied: c.applied,
        cancelled: c.cancelled,
        defaulted: c.defaulted,
        errors: { ...c.errors },
        p95Ms: c.p95(),
        lastError: c.lastError,
      };
    }
    return out;
  }
}
