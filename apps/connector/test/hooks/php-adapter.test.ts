import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HookBadOutputError, HookCrashError, HookNotFoundError, HookTimeoutError, createHookRunner, defaultOutput, type HookName } from "../../src/hooks/index.js";
import { IS_CI, VALID, collectingSink, ensurePhp, processGone, sampleInput, tempDir, writeHook, type Behaviour } from "./helpers.js";

/**
 * Itgrix-style `<hook>.php` files (`$params` in, top-level `return [...]` out) through the
 * shipped adapter. php-cli is installed by scripts/ensure-php.sh when missing; with CI=true a
 * machine without php fails here instead of skipping.
 */
const hasPhp = ensurePhp();
const PHP_HOOKS: HookName[] = ["need_registration", "process_final_params", "customize_autodistribution"];
const TIMEOUT_MS = 1500;

async function runPhp(hook: HookName, behaviour: Behaviour) {
  const dir = await tempDir("ab24-php-");
  await writeHook(dir, hook, "php", behaviour);
  const { records, sink } = collectingSink();
  const runner = createHookRunner({ config: { dir, enabled: { [hook]: { timeoutMs: TIMEOUT_MS } } }, errorSink: sink });
  const input = sampleInput(hook);
  return { result: await runner.run(hook, input), records, runner, input };
}

describe.skipIf(!hasPhp && !IS_CI)("PHP hooks (Itgrix form)", () => {
  it("php-cli is available", () => {
    expect(hasPhp).toBe(true);
  });

  describe.each(PHP_HOOKS)("%s.php", (hook) => {
    it("the returned array is used", async () => {
      const { result, records } = await runPhp(hook, { kind: "answer", value: VALID[hook].answer });
      expect(records.map((r) => r.error.message)).toEqual([]);
      expect(result).toMatchObject({ outcome: "applied", form: "php", data: VALID[hook].data });
    });

    it("an uncaught exception → default, HookCrashError with PHP's message", async () => {
      const { result, records, input } = await runPhp(hook, { kind: "throw" });
      expect(result.outcome).toBe("default");
      if (result.outcome !== "default") return;
      expect(result.error).toBeInstanceOf(HookCrashError);
      expect(result.error.message).toContain("boom from hook");
      expect((result.error as HookCrashError).details.exitCode).toBe(255);
      expect(result.data).toEqual(defaultOutput(hook, input));
      expect(records).toHaveLength(1);
    });

    it("sleep past the timeout → php killed, default, HookTimeoutError", async () => {
      const { result, records, runner } = await runPhp(hook, { kind: "hang" });
      expect(result.outcome).toBe("default");
      if (result.outcome !== "default") return;
      expect(result.error).toBeInstanceOf(HookTimeoutError);
      expect(processGone((result.error as HookTimeoutError).pid!)).toBe(true);
      expect(records).toHaveLength(1);
      expect(runner.stats()[hook].errors.timeout).toBe(1);
    });

    it("garbage on stdout → default, HookBadOutputError", async () => {
      const { result, records } = await runPhp(hook, { kind: "bad-json" });
      expect(result.outcome).toBe("default");
      if (result.outcome === "default") expect(result.error).toBeInstanceOf(HookBadOutputError);
      expect(records).toHaveLength(1);
    });

    it("return ['data' => [], …] → cancelled by customization", async () => {
      const { result, records } = await runPhp(hook, { kind: "empty" });
      expect(result.outcome).toBe("cancelled");
      expect(records).toEqual([]);
    });
  });

  it("echo in a hook goes to the log (stderr), not into the answer", async () => {
    const dir = await tempDir("ab24-php-");
    await writeFile(
      path.join(dir, "need_registration.php"),
      `<?php\necho "debug: trunk is " . $params['call_full']['channel']['trunk']['number'];\nreturn ['data' => ['result' => true], 'state' => 'success'];\n`,
    );
    const runner = createHookRunner({ config: { dir, enabled: { need_registration: true } } });
    const result = await runner.run("need_registration", sampleInput("need_registration"));
    expect(result).toMatchObject({ outcome: "applied", data: { result: true }, stderr: "debug: trunk is 73432723033" });
  });

  it("a file without `return` → HookBadOutputError that says so", async () => {
    const dir = await tempDir("ab24-php-");
    await writeFile(path.join(dir, "process_user_phone.php"), `<?php\n$params['phone'] = '102';\n`);
    const runner = createHookRunner({ config: { dir, enabled: { process_user_phone: true } } });
    const result = await runner.run("process_user_phone", sampleInput("process_user_phone"));
    expect(result.outcome).toBe("default");
    if (result.outcome === "default") {
      expect(result.error).toBeInstanceOf(HookBadOutputError);
      expect(result.error.message).toContain("return [...]");
    }
  });

  it("a `file:` pointing at Itgrix's customizer directory layout is used as is", async () => {
    const dir = await tempDir("ab24-php-");
    const actions = path.join(dir, "opt-itgrix_bx-customizer-actions");
    await (await import("node:fs/promises")).mkdir(actions);
    await writeHook(actions, "customize_autodistribution", "php", { kind: "answer", value: VALID.customize_autodistribution.answer });
    const runner = createHookRunner({
      config: { dir, enabled: { customize_autodistribution: { file: path.join(actions, "customize_autodistribution.php") } } },
    });
    const result = await runner.run("customize_autodistribution", sampleInput("customize_autodistribution"));
    expect(result).toMatchObject({ outcome: "applied", data: { number: "102", name: "ACME LLC" } });
  });

  it("an enabled hook without a file → HookNotFoundError, default used", async () => {
    const dir = await tempDir("ab24-php-");
    const { records, sink } = collectingSink();
    const runner = createHookRunner({ config: { dir, enabled: { process_final_params: true } }, errorSink: sink });
    const input = sampleInput("process_final_params");
    const result = await runner.run("process_final_params", input);
    expect(result).toMatchObject({ outcome: "default", data: defaultOutput("process_final_params", input) });
    expect(records[0]?.error).toBeInstanceOf(HookNotFoundError);
    expect(runner.stats().process_final_params.errors.not_found).toBe(1);
  });
});
