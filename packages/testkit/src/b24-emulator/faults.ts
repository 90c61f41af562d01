/**
 * Fault injection for the REST endpoint: latency, a share of gateway 503s and 500s, connection resets, hangs
 * and a full outage window. Dice are seeded so a run is reproducible.
 */
import type { FaultsConfig } from "./types.js";
import { seededRandom as mulberry32 } from "../util/random.js";

export type FaultDecision = "reset" | "hang" | "503" | "500" | null;

export class FaultInjector {
  private config: FaultsConfig = {};
  private outageUntil = 0;
  private dice: () => number = mulberry32(1);

  constructor(private readonly now: () => number) {}

  set(config: FaultsConfig): void {
    this.config = { ...config };
    this.dice = mulberry32(config.seed ?? 1);
    this.outageUntil = config.outageMs && config.outageMs > 0 ? this.now() + config.outageMs : 0;
  }

  get current(): FaultsConfig & { outageUntil: number } {
    return { ...this.config, outageUntil: this.outageUntil };
  }

  get latencyMs(): number {
    return Math.max(0, this.config.latencyMs ?? 0);
  }

  inOutage(): boolean {
    return this.outageUntil > this.now();
  }

  /** What happens to the next REST request. */
  decide(): { fault: FaultDecision; outage: boolean } {
    if (this.inOutage()) return { fault: this.config.outageMode === "reset" ? "reset" : "503", outage: true };
    const r = this.dice();
    let edge = 0;
    const steps: Array<[number | undefined, FaultDecision]> = [
      [this.config.shareReset, "reset"],
      [this.config.shareHang, "hang"],
      [this.config.share503, "503"],
      [this.config.share500, "500"],
    ];
    for (const [share, fault] of steps) {
      edge += Math.max(0, share ?? 0);
      if (r < edge) return { fault, outage: false };
    }
    return { fault: null, outage: false };
  }

  clear(): void {
    this.set({});
  }
}
