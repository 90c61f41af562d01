import { chmod, writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HookApiTokens, createHookApiRouter, createHookRunner } from "../../src/hooks/index.js";
import { IS_CI, ensurePhp, fakeB24, sampleCallFull, tempDir } from "./helpers.js";

/**
 * Hooks call Bitrix24 through the connector: in-process via ctx.b24, executables (node, PHP)
 * via the local HTTP endpoint with a per-run token.
 */
const EXAMPLES = path.resolve(import.meta.dirname, "../../examples/hooks");

let server: Server;
let baseUrl: string;
const tokens = new HookApiTokens();
const b24 = fakeB24({ "crm.duplicate.findbycomm": { LEAD: [] }, "crm.lead.add": 901, "user.get": [{ ID: "7", NAME: "Anna" }] });

beforeAll(async () => {
  const app = express();
  app.use("/hooks-api", createHookApiRouter({ b24, tokens }));
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks-api`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const missedCall = () => ({
  call_full: sampleCallFull({ result: 304, entity: null, channel: { ...sampleCallFull().channel!, was_answered: false } }),
  call_stage: "call_ended" as const,
});

async function post(body: unknown, token?: string) {
  const res = await fetch(`${baseUrl}/call`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("local hook API (express router)", () => {
  it("rejects a call without a token, or with an unknown one", async () => {
    expect((await post({ method: "user.get" })).status).toBe(401);
    expect((await post({ method: "user.get" }, "forged")).status).toBe(401);
  });

  it("rejects a malformed request", async () => {
    const token = tokens.issue("post_registration", 10_000);
    expect((await post({ params: {} }, token)).status).toBe(400);
    expect((await post({ method: "x; rm -rf", params: {} }, token)).status).toBe(400);
    expect((await post({ method: "user.get", params: [1] }, token)).status).toBe(400);
    tokens.revoke(token);
  });

  it("passes the call to Bitrix24 and returns its result", async () => {
    const token = tokens.issue("post_registration", 10_000);
    const before = b24.calls.length;
    const res = await post({ method: "user.get", params: { ID: 7 } }, token);
    expect(res).toEqual({ status: 200, body: { result: [{ ID: "7", NAME: "Anna" }] } });
    expect(b24.calls.slice(before)).toEqual([{ method: "user.get", params: { ID: 7 } }]);
    tokens.revoke(token);
    expect((await post({ method: "user.get" }, token)).status).toBe(401);
  });

  it("reports a Bitrix24 failure as 502 with the error's class name", async () => {
    const token = tokens.issue("post_registration", 10_000);
    const res = await post({ method: "crm.deal.delete", params: { id: 1 } }, token);
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ error: "bitrix24_call_failed", message: expect.any(String), name: "B24BusinessError" });
    tokens.revoke(token);
  });

  it("tokens expire", () => {
    let now = 1_000;
    const t = new HookApiTokens(() => now);
    const token = t.issue("need_registration", 500);
    expect(t.resolve(token)).toBe("need_registration");
    now = 1_600;
    expect(t.resolve(token)).toBeUndefined();
  });
});

describe("a hook calling Bitrix24", () => {
  it("in-process: ctx.b24 (the example post_registration creates a lead)", async () => {
    const fake = fakeB24({ "crm.duplicate.findbycomm": { LEAD: [] }, "crm.lead.add": 77 });
    const runner = createHookRunner({ config: { dir: EXAMPLES, enabled: { post_registration: true } }, b24: fake });
    const result = await runner.run("post_registration", missedCall());
    expect(result.outcome).toBe("applied");
    expect(fake.calls.map((c) => c.method)).toEqual(["crm.duplicate.findbycomm", "crm.lead.add"]);
  });

  it("executable (node): through ASTERISK_B24_API_URL with its per-run token, revoked afterwards", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "customize_show_call_card");
    await writeFile(
      file,
      `#!/usr/bin/env node
let s = "";
process.stdin.on("data", (c) => (s += c)).on("end", async () => {
  const input = JSON.parse(s);
  const res = await fetch(process.env.ASTERISK_B24_API_URL + "/call", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer " + process.env.ASTERISK_B24_API_TOKEN },
    body: JSON.stringify({ method: "user.get", params: { ID: input.USER_ID } }),
  });
  const { result } = await res.json();
  process.stdout.write(JSON.stringify({ data: { CALL_ID: input.CALL_ID, USER_ID: [input.USER_ID, Number(result[0].ID) + 1] }, state: "success" }));
});
`,
    );
    await chmod(file, 0o755);
    const runner = createHookRunner({ config: { dir, enabled: { customize_show_call_card: true } }, api: { url: baseUrl, tokens } });
    const before = b24.calls.length;
    const result = await runner.run("customize_show_call_card", { CALL_ID: "c1", USER_ID: 7, call_full: sampleCallFull(), call_stage: "conversation_requested" });
    expect(result).toMatchObject({ outcome: "applied", form: "executable", data: { CALL_ID: "c1", USER_ID: [7, 8] } });
    expect(b24.calls.slice(before)).toEqual([{ method: "user.get", params: { ID: 7 } }]);
    expect(tokens.size).toBe(0);
  });

  it("executable hooks do not inherit the connector's environment (secrets), only PATH & co and hooks.env", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "process_user_phone");
    await writeFile(
      file,
      `#!/usr/bin/env node\nprocess.stdin.resume().on("end", () => process.stdout.write(JSON.stringify({ data: { phone: [process.env.AB24_TEST_SECRET ?? "none", process.env.HOOK_VAR ?? "none", process.env.ASTERISK_B24_HOOK].join("-") }, state: "success" })));\n`,
    );
    await chmod(file, 0o755);
    process.env.AB24_TEST_SECRET = "leaked";
    try {
      const runner = createHookRunner({ config: { dir, env: { HOOK_VAR: "1" }, enabled: { process_user_phone: true } } });
      const result = await runner.run("process_user_phone", { phone: "101", call_full: sampleCallFull(), call_stage: "call_ended" });
      // "none-1-process_user_phone" is not a phone number: the contract rejects it, proving what the hook saw
      expect(result.outcome).toBe("default");
      expect(result.outcome === "default" && result.raw).toEqual({ data: { phone: "none-1-process_user_phone" }, state: "success" });
    } finally {
      delete process.env.AB24_TEST_SECRET;
    }
  });
});

const hasPhp = ensurePhp();
describe.skipIf(!hasPhp && !IS_CI)("a PHP hook calling Bitrix24", () => {
  it("b24_call() in post_registration.php goes through the local endpoint", async () => {
    const runner = createHookRunner({ config: { dir: path.join(EXAMPLES, "php"), enabled: { post_registration: true } }, api: { url: baseUrl, tokens } });
    const before = b24.calls.length;
    const result = await runner.run("post_registration", missedCall());
    expect(result.outcome === "default" ? result.error.message : result.outcome).toBe("applied");
    expect(b24.calls.slice(before).map((c) => c.method)).toEqual(["crm.duplicate.findbycomm", "crm.lead.add"]);
    expect(b24.calls.at(-1)!.params).toMatchObject({ fields: { TITLE: "Missed call from 89161234567", SOURCE_ID: "CALL" } });
  });

  it("a failing b24_call() surfaces as a crash with the Bitrix24 error, default used", async () => {
    const dir = await tempDir("ab24-php-");
    await writeFile(path.join(dir, "post_registration.php"), `<?php\nb24_call('crm.deal.delete', ['id' => 1]);\nreturn ['state' => 'success'];\n`);
    const runner = createHookRunner({ config: { dir, enabled: { post_registration: true } }, api: { url: baseUrl, tokens } });
    const result = await runner.run("post_registration", missedCall());
    expect(result.outcome).toBe("default");
    if (result.outcome === "default") expect(result.error.message).toContain("B24BusinessError");
  });
});
