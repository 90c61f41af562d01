import { describe, expect, it } from "vitest";
import { HOOK_NAMES, HookBadOutputError, HookCrashError, HookTimeoutError, createHookRunner, defaultOutput, type HookName } from "../../src/hooks/index.js";
import { VALID, collectingSink, processGone, sampleInput, tempDir, writeHook, type Behaviour, type Form } from "./helpers.js";

/**
 * Every customization point in both forms (in-process module, executable with JSON on
 * stdin/stdout): a valid answer is used; a crash, a timeout and bad JSON give the default and a
 * typed error through the sink; empty data cancels the request.
 */
const FORMS: Form[] = ["module", "executable"];
/** The timeout of the hook that hangs (it never answers, so a short one is exact). */
const TIMEOUT_MS = 400;
/**
 * Every other behaviour answers at once; a process start on a loaded 2-core machine can take
 * longer than 400 ms, so those runs get a timeout they never come near.
 */
const ANSWERING_TIMEOUT_MS = 30_000;

async function runOnce(hook: HookName, form: Form, behaviour: Behaviour) {
  const dir = await tempDir();
  await writeHook(dir, hook, form, behaviour);
  const { records, sink } = collectingSink();
  const fixed = hook === "process_record_file_path";
  const timeoutMs = behaviour.kind === "hang" ? TIMEOUT_MS : ANSWERING_TIMEOUT_MS;
  const runner = createHookRunner({ config: { dir, enabled: { [hook]: fixed ? true : { timeoutMs } } }, errorSink: sink });
  const input = sampleInput(hook);
  const result = await runner.run(hook, input);
  return { result, records, runner, input };
}

describe.each(FORMS)("%s hooks", (form) => {
  describe.each(HOOK_NAMES)("%s", (hook) => {
    it("uses a valid answer", async () => {
      const { result, records, runner } = await runOnce(hook, form, { kind: "answer", value: VALID[hook].answer });
      expect(result.outcome).toBe("applied");
      if (result.outcome !== "applied") return;
      expect(result.data).toEqual(VALID[hook].data);
      expect(result.form).toBe(form);
      expect(records).toEqual([]);
      const counters = runner.stats()[hook];
      expect(counters).toMatchObject({ enabled: true, calls: 1, applied: 1, cancelled: 0, defaulted: 0 });
      expect(counters.p95Ms).toBeTypeOf("number");
    });

    it("a crash → default used, HookCrashError recorded", async () => {
      const { result, records, runner, input } = await runOnce(hook, form, { kind: "throw" });
      expect(result.outcome).toBe("default");
      if (result.outcome !== "default") return;
      expect(result.error).toBeInstanceOf(HookCrashError);
      expect(result.error.message).toContain("boom from hook");
      expect(result.data).toEqual(defaultOutput(hook, input));
      expect(records).toHaveLength(1);
      expect(records[0]!.error).toBe(result.error);
      expect(records[0]!.hook).toBe(hook);
      expect(runner.stats()[hook]).toMatchObject({ calls: 1, defaulted: 1, errors: { crash: 1, timeout: 0, bad_output: 0, not_found: 0 } });
      expect(runner.stats()[hook].lastError?.kind).toBe("crash");
    });

    // process_record_file_path's fixed 10 s timeout is proven once, for both forms, below.
    if (hook !== "process_record_file_path")
      it("a timeout → default used, HookTimeoutError recorded", async () => {
        const { result, records, runner, input } = await runOnce(hook, form, { kind: "hang" });
        expect(result.outcome).toBe("default");
        if (result.outcome !== "default") return;
        expect(result.error).toBeInstanceOf(HookTimeoutError);
        expect((result.error as HookTimeoutError).timeoutMs).toBe(TIMEOUT_MS);
        if (form === "executable") {
          const pid = (result.error as HookTimeoutError).pid;
          expect(pid).toBeTypeOf("number");
          expect(processGone(pid!)).toBe(true);
        }
        expect(result.data).toEqual(defaultOutput(hook, input));
        expect(records.map((r) => r.error)).toEqual([result.error]);
        expect(runner.stats()[hook].errors.timeout).toBe(1);
      });

    it("bad JSON → default used, HookBadOutputError recorded", async () => {
      const { result, records, runner, input } = await runOnce(hook, form, { kind: "bad-json" });
      expect(result.outcome).toBe("default");
      if (result.outcome !== "default") return;
      expect(result.error).toBeInstanceOf(HookBadOutputError);
      expect(result.data).toEqual(defaultOutput(hook, input));
      expect(records.map((r) => r.error)).toEqual([result.error]);
      expect(runner.stats()[hook].errors.bad_output).toBe(1);
    });

    it(hook === "post_registration" ? "empty data: only state matters (nothing to cancel)" : "empty data → cancelled by customization", async () => {
      const { result, records, runner } = await runOnce(hook, form, { kind: "empty" });
      expect(records).toEqual([]);
      if (hook === "post_registration") {
        expect(result).toMatchObject({ outcome: "applied", data: null });
        return;
      }
      expect(result.outcome).toBe("cancelled");
      expect(runner.stats()[hook]).toMatchObject({ calls: 1, cancelled: 1, defaulted: 0 });
    });
  });
});

describe("process_record_file_path", () => {
  it("has a fixed 10 s timeout in both forms (configuration cannot change it)", async () => {
    const outcomes = await Promise.all(FORMS.map((form) => runOnce("process_record_file_path", form, { kind: "hang" })));
    for (const { result, input } of outcomes) {
      expect(result.outcome).toBe("default");
      if (result.outcome !== "default") continue;
      expect(result.error).toBeInstanceOf(HookTimeoutError);
      expect((result.error as HookTimeoutError).timeoutMs).toBe(10_000);
      // the original file is used when the conversion does not finish in time
      expect(result.data).toEqual({ path: (input as { path: string }).path });
    }
  });
});
