import { describe, expect, it } from "vitest";
import { compileListEntry, createLists, ListPatternError, shouldRegister } from "../../src/directory/lists.js";

describe("compileListEntry", () => {
  const rows: Array<[string, string, boolean]> = [
    ["101", "101", true],
    ["101", "1010", false],
    ["8123456XXXX", "81234561234", true],
    ["8123456XXXX", "8123456123", false],
    ["8123456XXXX", "812345612345", false],
    ["_7701XXX", "7701101", true],
    ["_NXX", "201", true],
    ["_NXX", "101", false],
    ["_ZXX", "101", true],
    ["_ZXX", "011", false],
    ["_5[1-3]X", "520", true],
    ["_5[1-3]X", "540", false],
    ["7701*", "77015", true],
    ["7701*", "7702", false],
    ["_7701.", "7701", false],
    ["_7701.", "77011", true],
    ["_7701!", "7701", true],
    ["SIP/Nova", "SIP/Nova", true],
    ["+79161234567", "+79161234567", true],
  ];
  it.each(rows)("%s vs %s → %s", (entry, value, expected) => {
    expect(compileListEntry(entry)(value)).toBe(expected);
  });
  it("rejects broken patterns", () => {
    expect(() => compileListEntry("_5[1-3X")).toThrow(ListPatternError);
    expect(() => compileListEntry("_5a")).toThrow(ListPatternError);
    expect(() => compileListEntry(" ")).toThrow(ListPatternError);
  });
});

describe("shouldRegister", () => {
  it("allows everything with no lists", () => {
    expect(shouldRegister({}, { extension: "101", trunk: "t1", clientNumber: "89161234567" })).toEqual({
      register: true,
      reason: "allowed",
    });
  });

  it("blacklists by extension, trunk and number (any format of the number)", () => {
    const lists = createLists({
      blacklist: { extensions: ["_9XX"], trunks: ["SIP/test-trunk"], numbers: ["+7 916 123-45-67", "8800XXXXXXX"] },
    });
    expect(lists.shouldRegister({ extension: "901" })).toEqual({
      register: false,
      reason: "blacklisted-extension",
      matched: "_9XX",
    });
    expect(lists.shouldRegister({ trunk: "SIP/test-trunk" }).reason).toBe("blacklisted-trunk");
    expect(lists.shouldRegister({ clientNumber: "89161234567" })).toMatchObject({
      register: false,
      reason: "blacklisted-number",
      matched: "+7 916 123-45-67",
    });
    expect(lists.shouldRegister({ clientNumber: "8 800 555 35 35" }).reason).toBe("blacklisted-number");
    expect(lists.shouldRegister({ extension: "101", trunk: "other", clientNumber: "89161234568" }).register).toBe(true);
  });

  it("whitelists: a listed dimension must match; unknown values are not judged", () => {
    const lists = createLists({ whitelist: { extensions: ["1XX"], trunks: ["74951234567"] } });
    expect(lists.shouldRegister({ extension: "101", trunk: "84951234567" }).register).toBe(true);
    expect(lists.shouldRegister({ extension: "201", trunk: "74951234567" }).reason).toBe("not-whitelisted-extension");
    expect(lists.shouldRegister({ extension: "101", trunk: "74950000000" }).reason).toBe("not-whitelisted-trunk");
    expect(lists.shouldRegister({ trunk: "74951234567" }).register).toBe(true);
  });

  it("blacklist beats whitelist", () => {
    const lists = createLists({ whitelist: { numbers: ["7916XXXXXXX"] }, blacklist: { numbers: ["79161234567"] } });
    expect(lists.shouldRegister({ clientNumber: "89161234567" }).reason).toBe("blacklisted-number");
    expect(lists.shouldRegister({ clientNumber: "89161234500" }).register).toBe(true);
    expect(lists.shouldRegister({ clientNumber: "89261234500" }).reason).toBe("not-whitelisted-number");
  });
});
