import type { AmiMessage } from "@asterisk-b24/ami";

/**
 * Asterisk's per-session event filter (`Action: Filter`, `Operation: Add`, `Filter: <regex>`):
 * each regex is matched against the event text (`Key: Value` lines); a leading `!` makes it an
 * exclusion. No filters: everything passes. Includes only: an event must match one. Excludes
 * only: an event must match none. Both: it must match an include and no exclude.
 */
export class EventFilter {
  readonly #include: RegExp[] = [];
  readonly #exclude: RegExp[] = [];

  /** Returns false if the regex is invalid (Asterisk answers "Filter Not Added"). */
  add(filter: string): boolean {
    const exclude = filter.startsWith("!");
    try {
      const re = new RegExp(exclude ? filter.slice(1) : filter);
      (exclude ? this.#exclude : this.#include).push(re);
      return true;
    } catch {
      return false;
    }
  }

  allows(message: AmiMessage): boolean {
    if (this.#include.length === 0 && this.#exclude.length === 0) return true;
    const text = message.fields.map(([k, v]) => `${k}: ${v}`).join("\r\n");
    if (this.#include.length > 0 && !this.#include.some((re) => re.test(text))) return false;
    return !this.#exclude.some((re) => re.test(text));
  }
}
