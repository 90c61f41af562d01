/**
 * The b24-app's HTTP inputs: bad or oversized bodies get 400 / 413 in Bitrix24's error shape,
 * never a 500; the connector token (gateway), the upload id and the install key are checked
 * before a large body is read. Real HTTP, real Redis, the Bitrix24 emulator as the portal.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_USERS, requireService, SERVICES, startB24Emulator, uniquePrefix, type B24Emulator } from "@asterisk-b24/testkit";
import { B24App, loadB24AppConfig, runCli, silentLogger } from "../src/index.js";

const available = await requireService("redis");

describe.runIf(available)("b24-app: bad HTTP input", () => {
  let emu: B24Emulator;
  let app: B24App;
  let base = "";
  let token = "";
  const dir = mkdtempSync(join(tmpdir(), "ab24-input-"));

  beforeAll(async () => {
    emu = await startB24Emulator({ webhook: { userId: 1, code: "input0webhook0" }, users: DEMO_USERS, limits: false });
    const prefix = uniquePrefix("appinput");
    const configFile = join(dir, "b24-app.json");
    writeFileSync(
      configFile,
      JSON.stringify({
        http: { host: "127.0.0.1", port: 0, publicUrl: "http://127.0.0.1:9" },
        portal: { url: emu.url, credential: { mode: "webhook", webhookUrl: emu.webhookUrl } },
        install: { key: "install-key-0123456789" },
        redis: { url: SERVICES.redis.url, prefix },
        queue: { name: `in-${prefix.replace(/[^A-Za-z0-9_-]/g, "_")}` },
        tokens: { privateKeyFile: join(dir, "keys", "token.key"), publicKeyFile: join(dir, "keys", "token.pub") },
        log: { level: "silent" },
      }),
    );
    await runCli(["keygen", "--config", configFile], {});
    const out = await runCli(["token", "issue", "--connector", "pbx-1", "--scope", "connector", "--config", configFile], {});
    token = (JSON.parse(out.slice(out.indexOf("{"))) as { token: string }).token;
    app = new B24App({ config: loadB24AppConfig(configFile, {}), logger: silentLogger() });
    await app.start();
    base = `http://127.0.0.1:${app.port}`;
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (path: string, body: string | Buffer, headers: Record<string, string>) => fetch(`${base}${path}`, { method: "POST", headers, body });
  const json = { "content-type": "application/json" };
  const form = { "content-type": "application/x-www-form-urlencoded" };
  const huge = (mb: number) => Buffer.alloc(mb * 1024 * 1024, "a");

  it("gateway: bad JSON with a valid token → 400", async () => {
    const res = await post("/gateway/rest/user.get", '{"FILTER": ', { ...json, authorization: `Bearer ${token}` });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; error_description: string };
    expect(body.error).toBe("INVALID_REQUEST");
    expect(body.error_description).toMatch(/^request body could not be parsed: /);
  });

  it("gateway: a body over the limit with a valid token → 413", async () => {
    const res = await post("/gateway/rest/user.get", huge(65), { ...json, authorization: `Bearer ${token}` });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: "REQUEST_TOO_LARGE",
      message: "request body is larger than the limit of 67108864 bytes",
      error_description: "request body is larger than the limit of 67108864 bytes",
    });
  });

  it("gateway: a large body without a valid token is refused before it is read (401)", async () => {
    const res = await post("/gateway/rest/user.get", huge(65), { ...json, authorization: "Bearer forged" });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe("INVALID_CREDENTIALS");
  });

  it("gateway upload: an unknown upload id is refused before the body is read (404)", async () => {
    const res = await post("/gateway/upload/nope", huge(8), { "content-type": "application/octet-stream" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "UPLOAD_NOT_FOUND", message: "unknown or expired upload id", error_description: "unknown or expired upload id" });
  });

  it("events: a body over 64 KB → 413; a malformed form is not a 500", async () => {
    const res = await post("/b24/events", Buffer.from(`event=ONEXTERNALCALLSTART&data[x]=${"a".repeat(70 * 1024)}`), form);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: "REQUEST_TOO_LARGE",
      message: "request body is larger than the limit of 65536 bytes",
      error_description: "request body is larger than the limit of 65536 bytes",
    });
    const bad = await post("/b24/events", "%E0%A4%A=1&auth", form);
    expect(bad.status).toBe(401); // read as a form without a matching application_token
  });

  it("events: too many parameters → 413", async () => {
    const body = Array.from({ length: 1500 }, (_, i) => `p${i}=1`).join("&");
    const res = await post("/b24/events", body, form);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toBe("REQUEST_TOO_LARGE");
  });

  it("install: a wrong key is refused before the body is read (403)", async () => {
    const res = await post("/b24/install?key=wrong", huge(2), form);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: "INSTALL_REFUSED", message: "wrong or missing install key", error_description: "wrong or missing install key" });
  });
});
