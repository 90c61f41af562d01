/** Injectable time source (milliseconds since the epoch). */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  set(ms: number | Date): void {
    this.current = typeof ms === "number" ? ms : ms.getTime();
  }
  advanceDays(days: number): void {
    this.current += days * 86_400_000;
  }
}
