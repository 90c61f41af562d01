import { describe, expect, it } from "vitest";
import { ClockSkew } from "../../src/runtime/clock-skew.js";
import { amiSection } from "../../src/runtime/status-checks.js";

describe("ClockSkew", () => {
  it("is unknown before the first timestamped event", () => {
    expect(new ClockSkew().skewMs).toBeUndefined();
  });

  it("measures a PBX clock two minutes ahead despite delivery delays and a delayed burst", () => {
    const skew = new ClockSkew(9);
    const lead = 120_000;
    const delays = [3, 5, 2, 4, 3, 6, 4_000, 5_000, 2];
    delays.forEach((delay, i) => {
      const pbx = 1_700_000_000_000 + i * 1_000;
      skew.observe(pbx, pbx - lead + delay);
    });
    // Median of the samples: the two slow deliveries do not move it by more than a few ms.
    expect(skew.skewMs).toBe(lead - 4);
  });

  it("follows a corrected clock once the window has turned over", () => {
    const skew = new ClockSkew(5);
    for (let i = 0; i < 5; i++) skew.observe(1_000_000 + 90_000, 1_000_000);
    expect(skew.skewMs).toBe(90_000);
    for (let i = 0; i < 3; i++) skew.observe(2_000_000, 2_000_010);
    expect(skew.skewMs).toBe(-10);
    expect(skew.samples).toBe(5);
  });

  it("ignores non-finite times and rejects a bad window", () => {
    const skew = new ClockSkew();
    skew.observe(Number.NaN, 1);
    expect(skew.samples).toBe(0);
    expect(() => new ClockSkew(0)).toThrow(RangeError);
  });
});

describe("amiSection", () => {
  it("warns about a PBX clock more than 30 s off, in either direction", () => {
    expect(amiSection(true, 120_000, {})).toMatchObject({ health: "Warning", clock_skew_ms: 120_000, problems: [expect.stringContaining("120 s off")] });
    expect(amiSection(true, -31_000, {}).health).toBe("Warning");
    expect(amiSection(true, 29_000, {})).toMatchObject({ health: "Ok", clock_skew_ms: 29_000 });
    expect(amiSection(true, undefined, {})).toMatchObject({ health: "Ok", clock_skew_ms: null });
    expect(amiSection(false, 120_000, {}).health).toBe("Error");
    expect(amiSection(true, 120_000, {}, 0)).toMatchObject({ health: "Ok", clock_skew_ms: 120_000 });
  });
});
