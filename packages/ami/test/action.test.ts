import { describe, expect, it } from "vitest";
import { AmiActionValueError, AmiMessage, maskSecrets, serializeAction, validateActionFields } from "../src/index.js";

describe("serializeAction / validateActionFields", () => {
  it("serialises an action with repeated headers and the ActionID right after Action", () => {
    const wire = serializeAction({ Action: "Originate", Channel: "PJSIP/101", Variable: ["A=1", "B=2"], Async: true, Timeout: 30000, Skip: undefined }, "x-1");
    expect(wire).toBe("Action: Originate\r\nActionID: x-1\r\nChannel: PJSIP/101\r\nVariable: A=1\r\nVariable: B=2\r\nAsync: true\r\nTimeout: 30000\r\n\r\n");
  });

  it.each([
    ["CR LF in a value (header injection)", { Action: "Originate", Exten: "79161234567\r\nAction: Hangup\r\nChannel: PJSIP/102" }, "control-char-in-value", "Exten"],
    ["bare LF in a value", { Action: "Originate", CallerID: "Иван\nPetrov" }, "control-char-in-value", "CallerID"],
    ["bare CR in a value", { Action: "Originate", Exten: "123\r" }, "control-char-in-value", "Exten"],
    ["NUL in a value", { Action: "Originate", Exten: "123\u0000" }, "control-char-in-value", "Exten"],
    ["CR LF in an array value", { Action: "Originate", Variable: ["A=1", "B=2\r\n\r\nAction: Logoff"] }, "control-char-in-value", "Variable"],
    ["CR LF in a key", { Action: "Originate", "X\r\nAction: Hangup": "1" }, "control-char-in-key", "X\r\nAction: Hangup"],
    ["space in a key", { Action: "Ping", "Bad Key": "1" }, "invalid-key", "Bad Key"],
    ["colon in a key", { Action: "Ping", "Bad:Key": "1" }, "invalid-key", "Bad:Key"],
    ["empty key", { Action: "Ping", "": "1" }, "invalid-key", ""],
    ["CR LF in the action name", { Action: "Ping\r\nAction: Hangup" }, "control-char-in-value", "Action"],
    ["empty action", { Action: "" }, "missing-action", "Action"],
  ])("refuses %s", (_label, input, reason, key) => {
    let error: unknown;
    try {
      serializeAction(input as never, "id-1");
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AmiActionValueError);
    expect((error as AmiActionValueError).reason).toBe(reason);
    expect((error as AmiActionValueError).key).toBe(key);
    // the refused value is never echoed in the message (it may be personal data)
    expect((error as Error).message).not.toContain("79161234567");
  });

  it("requires Action first and refuses a caller ActionID when the client assigns them", () => {
    expect(() =>
      validateActionFields([
        ["Channel", "x"],
        ["Action", "Ping"],
      ]),
    ).toThrow(AmiActionValueError);
    expect(() => serializeAction({ Action: "Ping", ActionID: "mine" }, "client-1")).toThrow(AmiActionValueError);
    expect(serializeAction({ Action: "Ping", ActionID: "mine" })).toBe("Action: Ping\r\nActionID: mine\r\n\r\n");
    expect(serializeAction(new AmiMessage([["Action", "Ping"]]), "a")).toBe("Action: Ping\r\nActionID: a\r\n\r\n");
  });

  it("masks secrets for logs", () => {
    expect(
      maskSecrets([
        ["Action", "Login"],
        ["Username", "crm"],
        ["secret", "s3cr3t"],
      ]),
    ).toEqual([
      ["Action", "Login"],
      ["Username", "crm"],
      ["secret", "********"],
    ]);
  });
});
