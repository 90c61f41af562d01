import { describe, expect, it } from "vitest";
import { analysePhone, normaliseClientNumber, phoneKey, samePhone } from "../../src/directory/phone.js";

describe("normaliseClientNumber (country 7, trunk 8)", () => {
  const rows: Array<[string, string, string, string]> = [
    // input, options label, number, key
    ["89161234567", "", "79161234567", "79161234567"],
    ["+79161234567", "", "+79161234567", "79161234567"],
    ["79161234567", "", "79161234567", "79161234567"],
    ["9161234567", "", "79161234567", "79161234567"],
    ["8 (916) 123-45-67", "", "79161234567", "79161234567"],
    ["+7 916 123-45-67", "", "+79161234567", "79161234567"],
    ["8 800 555-35-35", "", "78005553535", "78005553535"],
    ["1234567", "", "1234567", "1234567"],
    ["112", "", "112", "112"],
    ["0911", "", "0911", "0911"],
    ["101", "", "101", "101"],
    ["+44 20 7946 0958", "", "+442079460958", "442079460958"],
    ["  tel:8916abc1234567 ", "", "79161234567", "79161234567"],
    ["", "", "", ""],
    ["Anonymous", "", "", ""],
  ];
  it.each(rows)("%s → %s", (input, _label, number, key) => {
    expect(normaliseClientNumber(input)).toBe(number);
    expect(phoneKey(input)).toBe(key);
  });

  it("local numbers get the configured area code", () => {
    expect(normaliseClientNumber("1234567", { localAreaCode: "495" })).toBe("74951234567");
    expect(normaliseClientNumber("123-45-67", { localAreaCode: "495" })).toBe("74951234567");
    // a 5-digit local number with a 5-digit area code (small towns)
    expect(normaliseClientNumber("12345", { localAreaCode: "34922" })).toBe("73492212345");
    // short numbers stay
    expect(normaliseClientNumber("112", { localAreaCode: "495" })).toBe("112");
  });

  it("plus: always / never", () => {
    expect(normaliseClientNumber("89161234567", { plus: "always" })).toBe("+79161234567");
    expect(normaliseClientNumber("+79161234567", { plus: "never" })).toBe("79161234567");
    expect(normaliseClientNumber("112", { plus: "always" })).toBe("112");
  });

  it("keepTrunkPrefixFor keeps 8 800 domestic but compares equal to +7 800", () => {
    const rules = { keepTrunkPrefixFor: ["800"] };
    expect(normaliseClientNumber("8 800 555-35-35", rules)).toBe("88005553535");
    expect(analysePhone("88005553535", rules).kind).toBe("domestic");
    expect(samePhone("88005553535", "+78005553535", rules)).toBe(true);
  });

  it("another country: code 375, trunk 80, national 9", () => {
    const by = { countryCode: "375", trunkPrefix: "80", nationalLength: 9 };
    expect(normaliseClientNumber("80291234567", by)).toBe("375291234567");
    expect(normaliseClientNumber("291234567", by)).toBe("375291234567");
    expect(normaliseClientNumber("375291234567", by)).toBe("375291234567");
  });

  it("samePhone: formats of one client match, empty never matches", () => {
    expect(samePhone("89161234567", "+7 (916) 123-45-67")).toBe(true);
    expect(samePhone("9161234567", "79161234567")).toBe(true);
    expect(samePhone("89161234567", "89161234568")).toBe(false);
    expect(samePhone("", "")).toBe(false);
  });
});
