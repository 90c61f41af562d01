import { chmod, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HookTryUsageError, loadCallFull, tryHook } from "../../src/hooks/index.js";
import { sampleCallFull, tempDir, writeHook } from "./helpers.js";

/** `asterisk-b24 hook-try <hook> <call.json>`: one hook on a stored call, nothing written to the CRM. */
const EXAMPLES = path.resolve(import.meta.dirname, "../../examples/hooks");

async function storedCall(value: unknown): Promise<string> {
  const file = path.join(await tempDir("ab24-try-"), "call.json");
  await writeFile(file, JSON.stringify(value));
  return file;
}

describe("tryHook", () => {
  it("prints input, output, verdict, duration and the request that would be sent", async () => {
    const missed = sampleCallFull({ result: 304, channel: { ...sampleCallFull().channel!, was_answered: false } });
    // a journal record holding call_full
    const callFull = await loadCallFull(await storedCall({ id: 42, call_full: missed }));
    const lines: string[] = [];
    const report = await tryHook({
      hook: "process_final_params",
      callFull,
      config: { dir: EXAMPLES }, // not enabled: hook-try runs it anyway
      print: (l) => lines.push(l),
    });
    expect(report.result.outcome).toBe("applied");
    expect(report.verdict).toBe("valid");
    expect(report.request).toMatchObject({ target: "Bitrix24", method: "telephony.externalcall.finish", params: { USER_ID: 5, STATUS_CODE: "304" } });
    const text = lines.join("\n");
    expect(text).toContain("hook:     process_final_params (module)");
    expect(text).toContain('"call_full": "<call_full>"');
    expect(text).toContain("output:");
    expect(text).toContain("verdict:  valid");
    expect(text).toMatch(/duration: \d+\.\d ms/);
    expect(text).toContain("request:  Bitrix24 telephony.externalcall.finish");
  });

  it("says when the request would be cancelled", async () => {
    const lines: string[] = [];
    const report = await tryHook({
      hook: "customize_entity",
      callFull: { call_full: sampleCallFull({ entity: { type: "contact", id: 3 } }) },
      config: { dir: EXAMPLES },
      print: (l) => lines.push(l),
    });
    expect(report.result.outcome).toBe("cancelled");
    expect(report.request).toBeNull();
    expect(lines.join("\n")).toContain("request:  NOT SENT (cancelled by customization): Bitrix24 crm.contact.update");
  });

  it("shows a broken hook's error and the default it falls back to", async () => {
    const dir = await tempDir();
    await writeHook(dir, "need_registration", "executable", { kind: "bad-json" });
    const lines: string[] = [];
    const report = await tryHook({ hook: "need_registration", callFull: sampleCallFull(), stage: "conversation_requested", config: { dir }, print: (l) => lines.push(l) });
    expect(report.result.outcome).toBe("default");
    expect(report.verdict).toMatch(/^HookBadOutputError: .*stdout is not JSON.* → default used$/);
    expect(lines.join("\n")).toContain("(this stage's requests)");
  });

  it("runs Bitrix24 calls of the hook as a dry run (recorded, not sent), also for executables", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "post_registration");
    await writeFile(
      file,
      `#!/usr/bin/env node
process.stdin.resume().on("end", async () => {
  await fetch(process.env.ASTERISK_B24_API_URL + "/call", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer " + process.env.ASTERISK_B24_API_TOKEN },
    body: JSON.stringify({ method: "crm.lead.add", params: { fields: { TITLE: "x" } } }),
  });
  process.stdout.write(JSON.stringify({ state: "success" }));
});
`,
    );
    await chmod(file, 0o755);
    const lines: string[] = [];
    const report = await tryHook({ hook: "post_registration", callFull: sampleCallFull(), config: { dir }, print: (l) => lines.push(l) });
    expect(report.b24Calls).toEqual([{ method: "crm.lead.add", params: { fields: { TITLE: "x" } } }]);
    expect(lines.join("\n")).toContain('b24 call: crm.lead.add {"fields":{"TITLE":"x"}} (dry run, not sent)');
  });

  it("input overrides replace generated fields", async () => {
    const report = await tryHook({
      hook: "process_client_phone",
      callFull: sampleCallFull(),
      config: { dir: EXAMPLES },
      input: { phone: "84951234567" },
      print: () => undefined,
    });
    expect(report.result).toMatchObject({ outcome: "applied", data: { phone: "+74951234567" } });
  });

  it("rejects an unknown hook, a bad stage, an unreadable or non-JSON file", async () => {
    await expect(tryHook({ hook: "process_phone_number", callFull: {}, config: {} })).rejects.toBeInstanceOf(HookTryUsageError);
    await expect(tryHook({ hook: "need_registration", callFull: {}, stage: "ringing" as never, config: {} })).rejects.toBeInstanceOf(HookTryUsageError);
    await expect(loadCallFull("/nonexistent/call.json")).rejects.toBeInstanceOf(HookTryUsageError);
    const bad = path.join(await tempDir(), "bad.json");
    await writeFile(bad, "{oops");
    await expect(loadCallFull(bad)).rejects.toBeInstanceOf(HookTryUsageError);
  });
});
