import { describe, expect, it } from "vitest";
import { formatPortalDate, parseLenientDate } from "../src/b24-emulator/dates.js";
import { phoneKey, stripLetters } from "../src/b24-emulator/phone.js";
import { processBatchElement } from "../src/b24-emulator/batch.js";

const NOW = Date.UTC(2026, 2, 7, 7, 20, 30);
const MSK = 180;

describe("b24 emulator units", () => {
  it("parses dates leniently like strtotime, in the portal zone when no zone is given", () => {
    const expected = Date.UTC(2026, 2, 7, 7, 20, 30);
    for (const s of [
      "2026-03-07T10:20:30+03:00",
      "2026-03-07T10:20:30+0300",
      "2026-03-07T07:20:30Z",
      "2026-03-07 10:20:30",
      "2026-03-07T10:20:30.000+03:00",
      "07.03.2026 10:20:30",
      `@${expected / 1000}`,
      "now",
      "Sat, 07 Mar 2026 07:20:30 GMT",
    ]) {
      expect(parseLenientDate(s, NOW, MSK), s).toBe(expected);
    }
    expect(parseLenientDate("2026-03-07", NOW, MSK)).toBe(Date.UTC(2026, 2, 6, 21, 0, 0));
    for (const bad of ["", "yesterday-ish", "2026-13-01", "10:20", "abc"]) expect(parseLenientDate(bad, NOW, MSK), bad).toBeNull();
  });

  it("prints dates as PHP date('c') in the portal zone", () => {
    expect(formatPortalDate(NOW, MSK)).toBe("2026-03-07T10:20:30+03:00");
    expect(formatPortalDate(NOW, -330)).toBe("2026-03-07T01:50:30-05:30");
  });

  it("strips letters and normalises phone keys", () => {
    expect(stripLetters("+7 (900) 123-45-67 ext")).toBe("+7 (900) 123-45-67");
    expect(stripLetters("Аноним")).toBe("");
    expect(phoneKey("8 (900) 123-45-67")).toBe("79001234567");
    expect(phoneKey("+7 900 123 45 67#101")).toBe("79001234567");
    expect(phoneKey("+1 555 000 1111")).toBe("15550001111");
  });

  it("resolves batch references like CRestUtil::processBatchElement", () => {
    const refs = { result: { u: [{ ID: "5", LIST: [1, 2] }], n: 7 }, next: {}, total: { u: 1 }, time: {}, error: {} };
    expect(processBatchElement("$result[u][0][ID]", refs)).toBe("5");
    expect(processBatchElement("$result[u][0][LIST]", refs)).toEqual([1, 2]);
    expect(processBatchElement("id $result[u][0][ID] of $total[u]", refs)).toBe("id 5 of 1");
    expect(processBatchElement("x $result[u][0][LIST] y", refs)).toBe("x $result[u][0][LIST] y");
    expect(processBatchElement("$result[n]", refs)).toBe(7);
    expect(processBatchElement("$result[u][9][ID]", refs)).toEqual([{ ID: "5", LIST: [1, 2] }]); // stops at the last level
    expect(processBatchElement("no refs", refs)).toBe("no refs");
  });
});
