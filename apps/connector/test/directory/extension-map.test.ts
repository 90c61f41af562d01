import { describe, expect, it } from "vitest";
import { createExtensionMap, ExtensionMapConfigError } from "../../src/directory/extension-map.js";

describe("ExtensionMap", () => {
  it("explicit map both ways, wins over rules", () => {
    const map = createExtensionMap({
      explicit: { "7701999": "9" },
      rules: [{ kind: "strip-prefix", prefix: "7701" }],
    });
    expect(map.toB24("7701999")).toBe("9");
    expect(map.toPbx("9")).toBe("7701999");
    expect(map.toB24("7701101")).toBe("101");
    expect(map.toPbx("101")).toBe("7701101");
  });

  it("strip-prefix leaves numbers without the prefix (and the bare prefix) alone", () => {
    const map = createExtensionMap({ rules: [{ kind: "strip-prefix", prefix: "7701" }] });
    expect(map.toB24("101")).toBe("101");
    expect(map.toB24("7701")).toBe("7701");
  });

  it("last-digits with and without a PBX prefix", () => {
    const withPrefix = createExtensionMap({ rules: [{ kind: "last-digits", digits: 4, pbxPrefix: "555" }] });
    expect(withPrefix.toB24("5550123")).toBe("0123");
    expect(withPrefix.toB24("4440123")).toBe("4440123");
    expect(withPrefix.toPbx("0123")).toBe("5550123");
    expect(withPrefix.toPbx("12")).toBe("12");

    const bare = createExtensionMap({ rules: [{ kind: "last-digits", digits: 4 }] });
    expect(bare.toB24("88001234")).toBe("1234");
    expect(bare.toB24("1234")).toBe("1234");
    expect(bare.toB24("SIP/abc12345")).toBe("SIP/abc12345");
    expect(bare.toPbx("1234")).toBe("1234");
  });

  it("no config: identity (trimmed)", () => {
    const map = createExtensionMap();
    expect(map.toB24(" 101 ")).toBe("101");
    expect(map.toPbx("101")).toBe("101");
  });

  it("rejects a map that is not one-to-one, and bad rules", () => {
    expect(() => createExtensionMap({ explicit: { "7701101": "101", "7702101": "101" } })).toThrow(ExtensionMapConfigError);
    expect(() => createExtensionMap({ explicit: { "": "101" } })).toThrow(ExtensionMapConfigError);
    expect(() => createExtensionMap({ rules: [{ kind: "strip-prefix", prefix: "" }] })).toThrow(ExtensionMapConfigError);
    expect(() => createExtensionMap({ rules: [{ kind: "last-digits", digits: 0 }] })).toThrow(ExtensionMapConfigError);
  });
});
