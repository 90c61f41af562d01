import { describe, expect, it } from "vitest";
import { DIAL_STATUS_TABLE, HANGUP_CAUSE_TABLE, toB24Status } from "../../../src/stages/build/status-code.js";

describe("toB24Status: DialStatus table, outbound (every row)", () => {
  const expected: Record<string, string> = {
    ANSWER: "200",
    BUSY: "486",
    NOANSWER: "480",
    CANCEL: "603-S",
    CONGESTION: "503",
    CHANUNAVAIL: "480",
    DONTCALL: "603",
    TORTURE: "603",
    INVALIDARGS: "OTHER",
  };
  it("the table is what the docs say", () => {
    expect(Object.fromEntries(Object.entries(DIAL_STATUS_TABLE).map(([k, v]) => [k, v.code]))).toEqual(expected);
  });
  it.each(Object.entries(DIAL_STATUS_TABLE))("%s", (dialStatus, row) => {
    const r = toB24Status({ direction: "outbound", answered: false, dialStatus });
    expect(r.statusCode).toBe(row.code);
    expect(r.failedReason).toBe(row.reason);
    expect(r.source).toBe(dialStatus === "ANSWER" ? "answered" : "dial-status");
  });
  it("case-insensitive", () => {
    expect(toB24Status({ direction: "outbound", answered: false, dialStatus: "busy" }).statusCode).toBe("486");
  });
});

describe("toB24Status: hangup cause table, outbound without DialStatus (every row)", () => {
  const expected: Record<number, string> = {
    1: "404",
    2: "404",
    3: "404",
    16: "603-S",
    17: "486",
    18: "480",
    19: "480",
    20: "480",
    21: "603",
    22: "404",
    26: "603-S",
    27: "503",
    28: "484",
    29: "503",
    31: "480",
    34: "503",
    38: "503",
    41: "503",
    42: "503",
    44: "503",
    47: "503",
    50: "403",
    52: "403",
    54: "403",
    57: "403",
    58: "503",
    65: "503",
    88: "503",
    102: "480",
    127: "OTHER",
  };
  it("the table is what the docs say", () => {
    expect(Object.fromEntries(Object.entries(HANGUP_CAUSE_TABLE).map(([k, v]) => [Number(k), v.code]))).toEqual(expected);
  });
  it.each(Object.entries(HANGUP_CAUSE_TABLE))("cause %s", (cause, row) => {
    const r = toB24Status({ direction: "outbound", answered: false, hangupCause: Number(cause) });
    expect(r).toEqual({ statusCode: row.code, failedReason: row.reason, source: "hangup-cause" });
  });
});

describe("toB24Status: rules", () => {
  it("answered → 200 in both directions, whatever the cause", () => {
    expect(toB24Status({ direction: "inbound", answered: true, hangupCause: 16 }).statusCode).toBe("200");
    expect(toB24Status({ direction: "outbound", answered: true, dialStatus: "BUSY" }).statusCode).toBe("200");
    expect(toB24Status({ direction: "inbound", answered: false, dialStatus: "ANSWER" }).statusCode).toBe("200");
  });

  it("missed inbound → 304 always, with the reason kept", () => {
    for (const dialStatus of ["BUSY", "NOANSWER", "CANCEL", "CONGESTION", "CHANUNAVAIL"]) {
      expect(toB24Status({ direction: "inbound", answered: false, dialStatus }).statusCode).toBe("304");
    }
    expect(toB24Status({ direction: "inbound", answered: false, dialStatus: "BUSY" }).failedReason).toBe("busy");
    expect(toB24Status({ direction: "inbound", answered: false, hangupCause: 19 })).toEqual({
      statusCode: "304",
      failedReason: "no answer",
      source: "inbound-missed",
    });
    expect(toB24Status({ direction: "inbound", answered: false })).toEqual({
      statusCode: "304",
      failedReason: "missed",
      source: "inbound-missed",
    });
  });

  it("CONGESTION / CHANUNAVAIL are refined by a specific cause, not by a vague one", () => {
    expect(toB24Status({ direction: "outbound", answered: false, dialStatus: "CONGESTION", hangupCause: 1 }).statusCode).toBe("404");
    expect(toB24Status({ direction: "outbound", answered: false, dialStatus: "CONGESTION", hangupCause: 28 }).statusCode).toBe("484");
    expect(toB24Status({ direction: "outbound", answered: false, dialStatus: "CHANUNAVAIL", hangupCause: 34 }).statusCode).toBe("503");
    expect(toB24Status({ direction: "outbound", answered: false, dialStatus: "CONGESTION", hangupCause: 16 }).statusCode).toBe("503");
    expect(toB24Status({ direction: "outbound", answered: false, dialStatus: "CHANUNAVAIL", hangupCause: 127 }).statusCode).toBe("480");
    expect(toB24Status({ direction: "outbound", answered: false, dialStatus: "CHANUNAVAIL", hangupCause: 999 }).statusCode).toBe("480");
  });

  it("a specific DialStatus is not overridden by the cause (BUSY stays 486, CANCEL stays 603-S)", () => {
    expect(toB24Status({ direction: "outbound", answered: false, dialStatus: "BUSY", hangupCause: 21 }).statusCode).toBe("486");
    expect(toB24Status({ direction: "outbound", answered: false, dialStatus: "CANCEL", hangupCause: 16 }).statusCode).toBe("603-S");
  });

  it("unknown DialStatus falls back to the cause; nothing known → 603-S unknown", () => {
    expect(toB24Status({ direction: "outbound", answered: false, dialStatus: "WEIRD", hangupCause: 17 }).statusCode).toBe("486");
    expect(toB24Status({ direction: "outbound", answered: false })).toEqual({
      statusCode: "603-S",
      failedReason: "unknown",
      source: "default",
    });
    expect(toB24Status({ direction: "outbound", answered: false, hangupCause: 999 }).source).toBe("default");
  });
});
