import { describe, expect, it } from "vitest";
import { HOOK_NAMES, HookBadOutputError, createHookRunner, defaultOutput, hookSettings, interpretOutput, parseHooksConfig, type HookName } from "../../src/hooks/index.js";
import { VALID, sampleInput } from "./helpers.js";

function issues(hook: HookName, raw: unknown): string[] {
  try {
    interpretOutput(hook, raw);
  } catch (error) {
    expect(error).toBeInstanceOf(HookBadOutputError);
    return (error as HookBadOutputError).issues;
  }
  throw new Error("expected HookBadOutputError");
}

const ok = (data: unknown) => ({ data, state: "success" });

describe("envelope", () => {
  it.each(HOOK_NAMES)("%s: the valid answer passes", (hook) => {
    const verdict = interpretOutput(hook, VALID[hook].answer);
    expect(verdict).toMatchObject({ kind: "data", data: VALID[hook].data });
  });

  it.each(HOOK_NAMES.filter((h) => h !== "post_registration"))("%s: {}, [], null and a missing data cancel", (hook) => {
    for (const raw of [ok({}), ok([]), ok(null), { state: "success" }]) expect(interpretOutput(hook, raw)).toEqual({ kind: "cancelled" });
  });

  it("unknown or missing state, non-objects → HookBadOutputError", () => {
    expect(issues("need_registration", { data: { result: true }, state: "error" })[0]).toContain('unknown state "error"');
    expect(issues("need_registration", { data: { result: true } })[0]).toContain("state: required");
    expect(issues("need_registration", "success")[0]).toContain("expected {");
    expect(issues("need_registration", [1])[0]).toContain("expected {");
    expect(issues("need_registration", 1)[0]).toContain("return [...]");
  });

  it("post_registration: only state matters", () => {
    expect(interpretOutput("post_registration", { data: "anything", state: "success" })).toEqual({ kind: "data", data: null, stripped: [] });
    expect(issues("post_registration", { state: "fail" })).toHaveLength(1);
  });
});

describe("per-hook data", () => {
  it("need_registration → {result: boolean}", () => {
    expect(issues("need_registration", ok({ result: "yes" }))).toEqual(['data.result: expected true or false, got "yes"']);
    expect(issues("need_registration", ok({ other: 1 }))).toEqual(["data.result: required"]);
  });

  it("phone hooks → {phone}", () => {
    for (const hook of ["process_client_phone", "process_user_phone"] as const) {
      expect(interpretOutput(hook, ok({ phone: "+7 (916) 123-45-67" }))).toMatchObject({ kind: "data" });
      expect(issues(hook, ok({ phone: 79161234567 }))[0]).toContain("data.phone");
      expect(issues(hook, ok({ phone: "call me" }))[0]).toContain("data.phone");
    }
  });

  it("process_final_params → ADD_TO_CHAT, CALL_ID, DURATION, STATUS_CODE, USER_ID; input-only keys stripped", () => {
    const verdict = interpretOutput("process_final_params", ok({ ...(VALID.process_final_params.data as object), call_full: {}, CONVERSATION: 1 }));
    expect(verdict).toMatchObject({ kind: "data", stripped: ["data.call_full", "data.CONVERSATION"] });
    expect(issues("process_final_params", ok({ CALL_ID: "x", DURATION: -1, STATUS_CODE: "OK", USER_ID: 0, ADD_TO_CHAT: 2 })).sort()).toEqual(
      [
        "data.ADD_TO_CHAT: expected one of 0/1, got 2",
        "data.DURATION: expected a non-negative integer, got -1",
        'data.STATUS_CODE: expected a status code such as "200" or "304", got "OK"',
        "data.USER_ID: expected a positive integer, got 0",
      ].sort(),
    );
    expect(issues("process_final_params", ok({ USER_ID: 5 }))).toEqual(["data.CALL_ID: required", "data.DURATION: required", "data.STATUS_CODE: required"]);
  });

  it("process_originate_params → caller_id, channel, context, extension, priority, request_data", () => {
    expect(issues("process_originate_params", ok({ channel: "PJSIP/101", context: "", extension: "8916", priority: 1.5 })).sort()).toEqual(
      ['data.context: expected a non-empty string, got ""', "data.priority: expected a string or an integer, got 1.5"].sort(),
    );
    // PHP encodes an empty request_data object as []
    expect(interpretOutput("process_originate_params", ok({ channel: "a", context: "b", extension: "c", priority: "1", request_data: [] }))).toMatchObject({
      data: { request_data: {} },
    });
  });

  it("process_record_file_path → an absolute path, as a string or {path}", () => {
    expect(interpretOutput("process_record_file_path", ok({ path: "/r/1.mp3" }))).toMatchObject({ data: { path: "/r/1.mp3" } });
    expect(issues("process_record_file_path", ok("relative/1.mp3"))[0]).toContain("absolute file path");
  });

  it("process_registration_params → typed fields, TYPE 1..4", () => {
    expect(issues("process_registration_params", ok({ PHONE_NUMBER: "7916", TYPE: 5, USER_ID: 1, CRM_CREATE: true })).join()).toContain("data.TYPE");
    expect(interpretOutput("process_registration_params", ok({ PHONE_NUMBER: "7916", TYPE: "2", USER_ID: "7", CRM_CREATE: false }))).toMatchObject({
      data: { TYPE: 2, USER_ID: 7, CRM_CREATE: 0 },
    });
  });

  it("process_task_creation_params → {fields} with TITLE, RESPONSIBLE_ID, UF_CRM_TASK bindings", () => {
    expect(issues("process_task_creation_params", ok({ fields: { TITLE: "t", RESPONSIBLE_ID: 1, UF_CRM_TASK: ["LEAD_1"] } }))[0]).toContain("UF_CRM_TASK");
    expect(issues("process_task_creation_params", ok({ TITLE: "t" }))).toEqual(["data.fields: required"]);
  });

  it("customize_autodistribution → number, name ≤ 20; from/user/entity/error stripped", () => {
    const verdict = interpretOutput("customize_autodistribution", ok({ number: "102", name: "ACME", from: "+7", user: {}, entity: {}, error: "" }));
    expect(verdict).toEqual({ kind: "data", data: { number: "102", name: "ACME" }, stripped: ["data.from", "data.user", "data.entity", "data.error"] });
    expect(issues("customize_autodistribution", ok({ number: "102", name: "Рога и копыта, торговый дом" }))[0]).toContain("at most 20 characters");
    expect(interpretOutput("customize_autodistribution", ok({ number: "102", name: "Рога и копыта ООО 20" }))).toMatchObject({ kind: "data" });
  });

  it("customize_show_call_card → CALL_ID and one or several USER_IDs", () => {
    expect(issues("customize_show_call_card", ok({ CALL_ID: "c", USER_ID: [] }))[0]).toContain("USER_ID");
  });

  it("field-map hooks keep Bitrix24 field names, strip the rest", () => {
    for (const hook of ["customize_activity", "customize_entity", "customize_attach_record_url"] as const) {
      const verdict = interpretOutput(hook, ok({ SUBJECT: "s", UF_CRM_1600000000: [1, 2], call_full: {}, activity: {} }));
      expect(verdict).toEqual({ kind: "data", data: { SUBJECT: "s", UF_CRM_1600000000: [1, 2] }, stripped: ["data.call_full", "data.activity"] });
    }
    expect(issues("customize_attach_record_url", ok({ DESCRIPTION_TYPE: 7 }))[0]).toContain("DESCRIPTION_TYPE");
  });

  it.each(HOOK_NAMES)("%s: the default is derived from the input", (hook) => {
    const input = sampleInput(hook);
    const data = defaultOutput(hook, input);
    if (hook === "post_registration") expect(data).toBeNull();
    else if (hook === "customize_activity" || hook === "customize_entity") expect(data).toEqual({});
    // every non-trivial default passes its own contract
    else expect(interpretOutput(hook, ok(data))).toMatchObject({ kind: "data", data });
  });
});

describe("configuration", () => {
  it("defaults: everything off, 3 s, php from PATH", () => {
    const config = parseHooksConfig({});
    expect(config).toMatchObject({ dir: "/etc/asterisk-b24/hooks", defaultTimeoutMs: 3000, php: "php", enabled: {} });
    for (const hook of HOOK_NAMES) expect(hookSettings(config, hook).enabled).toBe(false);
  });

  it("per-hook switches and timeouts; process_record_file_path fixed at 10 s", () => {
    const config = parseHooksConfig({
      defaultTimeoutMs: 2000,
      enabled: { need_registration: true, process_final_params: { timeoutMs: 5000 }, customize_entity: { enabled: false }, process_record_file_path: true },
    });
    expect(hookSettings(config, "need_registration")).toEqual({ enabled: true, timeoutMs: 2000 });
    expect(hookSettings(config, "process_final_params")).toEqual({ enabled: true, timeoutMs: 5000 });
    expect(hookSettings(config, "customize_entity").enabled).toBe(false);
    expect(hookSettings(config, "process_record_file_path")).toEqual({ enabled: true, timeoutMs: 10_000 });
  });

  it("rejects typos in hook names, a timeout on process_record_file_path, file and command together", () => {
    expect(() => parseHooksConfig({ enabled: { need_registraton: true } as never })).toThrow();
    expect(() => parseHooksConfig({ enabled: { process_record_file_path: { timeoutMs: 30_000 } } })).toThrow(/fixed timeout/);
    expect(() => parseHooksConfig({ enabled: { customize_entity: { file: "a.php", command: ["b"] } } })).toThrow(/either file or command/);
  });

  it("a disabled hook is not run: the default, outcome disabled, not counted; /status shows the switches", async () => {
    const runner = createHookRunner({ config: { dir: "/nonexistent", enabled: { need_registration: true } } });
    const result = await runner.run("process_client_phone", sampleInput("process_client_phone"));
    expect(result).toEqual({ hook: "process_client_phone", outcome: "disabled", data: { phone: "89161234567" }, durationMs: 0, form: null });
    expect(runner.stats().process_client_phone.calls).toBe(0);
    expect(runner.customizerStatus()).toMatchObject({ enabled: true, methods: { need_registration: true, process_client_phone: false } });
  });
});
