/**
 * Bad HTTP input gets a 400 / 413 with a clear JSON error, never a 500: the admin API's query
 * parameters (connector process), and the hooks API's bodies (its router over a real socket) —
 * the token is checked before a body is parsed.
 */
import express from "express";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_USERS, requireService, SERVICES, startAmiReplayServer, startB24Emulator, uniquePrefix, type AmiReplayServer, type B24Emulator } from "@asterisk-b24/testkit";
import { createHookApiRouter, HookApiTokens } from "../../src/hooks/index.js";
import { runHealthcheck, startConnectorProcess, until, type ConnectorProcess } from "../runtime/process.js";

const available = await requireService("redis");
const big = (bytes: number) => JSON.stringify({ method: "user.get", params: { pad: "x".repeat(bytes) } });

describe.runIf(available)("admin API query parameters (connector process)", () => {
  let emu: B24Emulator;
  let pbx: AmiReplayServer;
  let proc: ConnectorProcess;
  beforeAll(async () => {
    emu = await startB24Emulator({ webhook: { userId: 1, code: "input0code0x" }, users: DEMO_USERS, limits: false });
    pbx = await startAmiReplayServer({ recordings: [], speed: "asap" });
    proc = startConnectorProcess({
      ami: { host: pbx.host, port: pbx.port, username: "crm" },
      b24: { auth: { mode: "webhook", webhookUrl: emu.webhookUrl } },
      redis: { url: SERVICES.redis.url, prefix: uniquePrefix("badinput") },
    });
    await proc.port();
  }, 120_000);
  afterAll(async () => {
    await proc?.stop();
    await pbx?.close();
    await emu?.close();
  });

  it.each([
    ["/api/calls?limit=abc", 'limit must be an integer from 1 to 10000, got "abc"'],
    ["/api/calls?limit=0", 'limit must be an integer from 1 to 10000, got "0"'],
    ["/api/calls?limit=1.5", 'limit must be an integer from 1 to 10000, got "1.5"'],
    ["/api/calls?limit=1&limit=2", 'limit must be an integer from 1 to 10000, got ["1","2"]'],
    ["/api/calls?status=lost", 'status must be one of in_progress, delivered, failed, cancelled, skipped, reprocessed, got "lost"'],
    ["/api/calls?status=failed,lost", 'status must be one of in_progress, delivered, failed, cancelled, skipped, reprocessed, got "lost"'],
    ["/api/calls?from=yesterday-ish", 'from must be a time (ms or ISO 8601), got "yesterday-ish"'],
    ["/api/errors?hours=-1", 'hours must be an integer from 1 to 2160, got "-1"'],
    ["/api/errors?limit=many", 'limit must be an integer from 1 to 10000, got "many"'],
  ])("GET %s → 400 %s", async (path, message) => {
    const res = await proc.get(path);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "bad_query", message });
  });

  it("the bundled health probe reads the configured port and admin credentials: healthy", async () => {
    await until("AMI connected", async () => (await proc.status()).doc.app.ami!.connected === true);
    expect(await runHealthcheck(proc)).toEqual({ code: 0, stderr: "" });
  });

  it("good parameters still answer", async () => {
    const res = await proc.get("/api/calls?limit=5&status=failed");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([]);
    expect((await proc.get("/api/errors?hours=1")).status).toBe(200);
  });

  it("the hooks API refuses a large body without a token before reading it (401, not 413)", async () => {
    const res = await proc.get("/hooks-api/call", { method: "POST", headers: { "content-type": "application/json" }, body: big(3 * 1024 * 1024) });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "hook_api_unauthorized", message: "missing, unknown or expired hook token", name: "HookApiUnauthorized" });
  });
});

describe("hooks API bodies (router over a real socket)", () => {
  const tokens = new HookApiTokens();
  let server: Server;
  let base = "";
  let token = "";
  beforeAll(async () => {
    const app = express();
    app.use("/hooks-api", createHookApiRouter({ b24: { call: async (method) => ({ called: method }) }, tokens }));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/hooks-api`;
    token = tokens.issue("customize_entity", 60_000);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (body: string, auth = true) =>
    fetch(`${base}/call`, { method: "POST", headers: { "content-type": "application/json", ...(auth ? { authorization: `Bearer ${token}` } : {}) }, body });

  it("bad JSON → 400", async () => {
    const res = await post('{"method": "user.get", ');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; name: string; message: string };
    expect(body.error).toBe("bad_json");
    expect(body.name).toBe("HookApiBadRequest");
    expect(body.message).toMatch(/^request body could not be parsed: /);
  });

  it("a body over 2 MB → 413", async () => {
    const res = await post(big(3 * 1024 * 1024));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: "body_too_large", message: "request body is larger than the limit of 2097152 bytes", name: "HookApiBodyTooLarge" });
  });

  it("valid JSON of the wrong shape → 400; a good call → 200", async () => {
    const wrong = await post(JSON.stringify(["user.get"]));
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ error: "hook_api_bad_request", message: 'expected {"method": "<rest.method>", "params": {…}}', name: "HookApiBadRequest" });
    const ok = await post(JSON.stringify({ method: "user.get", params: {} }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ result: { called: "user.get" } });
  });
});
