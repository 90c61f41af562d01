import type { Metrics } from "../http/metrics.js";
import type { CallFigures } from "./call-figures.js";

/**
 * The figures as Prometheus counters (rates and increases are Prometheus's job). Label values are
 * bounded: the first `maxQueues` queues and `maxExtensions` extensions seen keep their name, any
 * later one is counted as "_other", so a misconfigured PBX cannot blow up the series count.
 */
export class FiguresMetrics {
  readonly #queues = new Set<string>();
  readonly #extensions = new Set<string>();

  constructor(
    readonly metrics: Metrics,
    readonly serviceLevelSec: number,
    readonly maxQueues = 50,
    readonly maxExtensions = 500,
  ) {}

  #label(set: Set<string>, max: number, value: string): string {
    if (set.has(value)) return value;
    if (set.size >= max) return "_other";
    set.add(value);
    return value;
  }

  observe(f: CallFigures): void {
    const m = this.metrics;
    for (const q of f.queues) {
      const queue = this.#label(this.#queues, this.maxQueues, q.queue);
      m.inc("ab24_queue_calls_total", { queue, outcome: q.outcome }, 1, "Callers that left a queue, by outcome (answered, abandoned, other)");
      if (q.outcome === "answered") {
        m.inc("ab24_queue_answer_wait_seconds_sum", { queue }, q.waitSec, "Total wait before an answer, seconds");
        m.inc("ab24_queue_talk_seconds_sum", { queue }, q.talkSec, "Total talk of queue calls, seconds");
        if (q.waitSec <= this.serviceLevelSec)
          m.inc("ab24_queue_answered_within_sl_total", { queue }, 1, `Queue calls answered within the service level (figures.serviceLevelSeconds)`);
      } else if (q.outcome === "abandoned") m.inc("ab24_queue_abandon_wait_seconds_sum", { queue }, q.waitSec, "Total wait before abandoning, seconds");
    }
    for (const a of f.agents) {
      const extension = this.#label(this.#extensions, this.maxExtensions, a.ext);
      const help = "Calls per manager extension: rung, answered, missed (rang, not answered), placed";
      if (a.rung) m.inc("ab24_manager_calls_total", { extension, kind: "rung" }, 1, help);
      if (a.answered) m.inc("ab24_manager_calls_total", { extension, kind: "answered" }, 1, help);
      if (a.missed) m.inc("ab24_manager_calls_total", { extension, kind: "missed" }, 1, help);
      if (a.placed) m.inc("ab24_manager_calls_total", { extension, kind: "placed" }, 1, help);
      if (a.talkSec > 0) m.inc("ab24_manager_talk_seconds_total", { extension }, a.talkSec, "Talk time per manager extension, seconds");
    }
    if (f.missedByAll) m.inc("ab24_calls_missed_by_all_total", {}, 1, "Inbound calls that rang managers and none answered");
  }
}
