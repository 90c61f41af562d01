/**
 * Customization hooks inside the running pipeline: an in-process module and an executable,
 * as an Itgrix customer would install them.
 */
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadRecording, requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { silentLogger } from "../../src/log/logger.js";
import { startStack } from "../../src/demo/stack.js";

const available = await requireService("redis");

describe.runIf(available)("hooks in the pipeline", () => {
  it("process_final_params (module) and need_registration (executable) change what reaches Bitrix24", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ab24-hooks-"));
    // Itgrix's classic: missed calls go to a fixed manager.
    writeFileSync(
      join(dir, "process_final_params.mjs"),
      `export default (p) => ({ state: "success", data: { CALL_ID: p.CALL_ID, USER_ID: p.STATUS_CODE === "304" ? 5 : p.USER_ID, DURATION: p.DURATION, STATUS_CODE: p.STATUS_CODE, ADD_TO_CHAT: 0 } });\n`,
    );
    // A black list by number, written as any executable (JSON on stdin, JSON on stdout).
    const exe = join(dir, "need_registration");
    writeFileSync(
      exe,
      `#!/usr/bin/env node
let s = ""; process.stdin.on("data", (d) => (s += d)); process.stdin.on("end", () => {
  const input = JSON.parse(s);
  process.stdout.write(JSON.stringify({ state: "success", data: { result: input.call_full.client_number !== "89161234567" } }));
});\n`,
    );
    chmodSync(exe, 0o755);
    const stack = await startStack({
      recordings: [loadRecording("03_inbound_queue_missed"), loadRecording("06_outbound_answered")],
      speed: "asap",
      redisUrl: SERVICES.redis.url,
      redisPrefix: uniquePrefix("hooks-e2e"),
      logger: silentLogger(),
      config: { hooks: { dir, enabled: { process_final_params: true, need_registration: true } } },
    });
    try {
      await stack.idle();
      const calls = stack.emu.calls();
      expect(calls.map((c) => c.PHONE_NUMBER)).toEqual(["79161234567"]);
      expect(calls[0]!.finish?.params).toMatchObject({ USER_ID: "5", STATUS_CODE: "304", ADD_TO_CHAT: "0" }); // batch sub-commands travel as query strings;
      const skipped = await stack.connector.journal.list({ status: "skipped" });
      expect(skipped.map((c) => c.reason)).toEqual(["need_registration hook said no"]);
      expect(stack.connector.hooks.stats()).toBeTruthy();
    } finally {
      await stack.close();
    }
  });
});
