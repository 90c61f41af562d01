/**
 * The PBX clock's lead over ours, measured from AMI events that carry Asterisk's `Timestamp`:
 * each event gives `Timestamp − receive time`, which is the true skew minus that event's
 * delivery delay. The median of the last `window` samples ignores the odd delayed burst (a
 * paused socket, a slow commit) and follows a clock that was corrected.
 */
export class ClockSkew {
  readonly #samples: number[] = [];

  constructor(readonly window = 31) {
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`clock skew window must be a positive integer, got ${window}`);
  }

  /** One event: its PBX time and when we received it (both ms since the epoch). */
  observe(pbxMs: number, receivedMs: number): void {
    if (!Number.isFinite(pbxMs) || !Number.isFinite(receivedMs)) return;
    this.#samples.push(pbxMs - receivedMs);
    if (this.#samples.length > this.window) this.#samples.shift();
  }

  /** PBX clock − ours (ms), undefined before the first timestamped event. */
  get skewMs(): number | undefined {
    const n = this.#samples.length;
    if (n === 0) return undefined;
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const mid = n >> 1;
    return n % 2 ? sorted[mid] : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
  }

  get samples(): number {
    return this.#samples.length;
  }
}
