import { describe, expect, it } from "vitest";
import { Backoff, backoffDelay } from "../src/index.js";

describe("backoff", () => {
  it("grows exponentially and is capped", () => {
    const b = new Backoff({ initialDelayMs: 100, multiplier: 2, maxDelayMs: 1000, jitter: 0 });
    expect(Array.from({ length: 7 }, () => b.next())).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it("applies jitter within ±jitter and never above the cap", () => {
    const opts = { initialDelayMs: 1000, maxDelayMs: 5000, jitter: 0.2 };
    expect(backoffDelay(0, opts, () => 0)).toBe(800);
    expect(backoffDelay(0, opts, () => 0.999999)).toBe(1200);
    expect(backoffDelay(10, opts, () => 0.999999)).toBe(5000);
    expect(backoffDelay(10, opts, () => 0)).toBe(4000);
    expect(backoffDelay(1000, opts, () => 0.5)).toBe(5000);
  });

  it("defaults: 500 ms doubling, 30 s cap", () => {
    const b = new Backoff({ jitter: 0 });
    const delays = Array.from({ length: 10 }, () => b.next());
    expect(delays.slice(0, 3)).toEqual([500, 1000, 2000]);
    expect(delays.at(-1)).toBe(30_000);
  });
});
