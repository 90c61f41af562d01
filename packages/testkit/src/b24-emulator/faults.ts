/**
 * Fault injection for the REST endpoint: latency (fixed or a seeded random range), gateway 503s, 500s,
 * connection resets and hangs BEFORE the portal runs a request, the same three AFTER it ran it (the
 * state changed, the answer is lost: what makes a client's re-send ambiguous), per-method shares, and
 * a full outage window. Dice are seeded (faults and latency on separate streams), so the same sequence
 * of requests meets the same faults on every run.
 */
import type { FaultShares, FaultsConfig } from "./types.js";
import { seededRandom as mulberry32 } from "../util/random.js";

/** Before the portal runs the request. */
export type FaultDecision = "reset" | "hang" | "503" | "500" | null;
/** After the portal ran it: the answer is replaced by a 503 page, never sent, or the connection is reset. */
export type AfterFault = "503-after" | "hang-after" | "reset-after";

export class FaultInjector {
  private config: FaultsConfig = {};
  private outageUntil = 0;
  private dice: () => number = mulberry32(1);
  private latencyDice: () => number = mulberry32(2);

  constructor(private readonly now: () => number) {}

  set(config: FaultsConfig): void {
    this.config = { ...config };
    const seed = config.seed ?? 1;
    this.dice = mulberry32(seed);
    this.latencyDice = mulberry32(seed ^ 0x5bd1e995);
    this.outageUntil = config.outageMs && config.outageMs > 0 ? this.now() + config.outageMs : 0;
  }

  get current(): FaultsConfig & { outageUntil: number } {
    return { ...this.config, outageUntil: this.outageUntil };
  }

  /** The delay before the next REST answer (draws from the latency dice when a range is set). */
  get latencyMs(): number {
    const min = Math.max(0, this.config.latencyMs ?? 0);
    const max = this.config.latencyMaxMs;
    if (max === undefined || max <= min) return min;
    return Math.round(min + (max - min) * this.latencyDice());
  }

  inOutage(): boolean {
    return this.outageUntil > this.now();
  }

  /** The shares for a request to `methods` (one name, or a batch's command names; lower case). */
  private sharesFor(methods: readonly string[]): FaultShares {
    const per = this.config.methods;
    if (per) for (const [name, shares] of Object.entries(per)) if (methods.includes(name.toLowerCase())) return shares;
    return this.config;
  }

  /** What happens to the next REST request: one die decides before AND after faults. */
  decide(methods: readonly string[] = []): { fault: FaultDecision; after: AfterFault | null; outage: boolean } {
    if (this.inOutage()) return { fault: this.config.outageMode === "reset" ? "reset" : "503", after: null, outage: true };
    const s = this.sharesFor(methods);
    const r = this.dice();
    let edge = 0;
    const steps: Array<[number | undefined, FaultDecision | AfterFault]> = [
      [s.shareReset, "reset"],
      [s.shareHang, "hang"],
      [s.share503, "503"],
      [s.share500, "500"],
      [s.share503After, "503-after"],
      [s.shareHangAfter, "hang-after"],
      [s.shareResetAfter, "reset-after"],
    ];
    for (const [share, fault] of steps) {
      edge += Math.max(0, share ?? 0);
      if (r < edge)
        return fault !== null && fault.endsWith("-after")
          ? { fault: null, after: fault as AfterFault, outage: false }
          : { fault: fault as FaultDecision, after: null, outage: false };
    }
    return { fault: null, after: null, outage: false };
  }

  clear(): void {
    this.set({});
  }
}
