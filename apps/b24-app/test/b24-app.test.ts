/** The b24-app on its own: config errors with paths, scopes, token keys, log redaction, the CLI, the service entry. */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import {
  applicationTokenMatches,
  B24AppConfigError,
  batchMethods,
  expandScopes,
  methodAllowed,
  parseB24AppConfig,
  parseInstallRequest,
  runCli,
  createLogger,
  CliUsageError,
} from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "ab24-app-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = {
  http: { port: 0, publicUrl: "https://b24-app.example.local:8090" },
  portal: { url: "https://b24.example.local", credential: { mode: "oauth", clientId: "local.1", clientSecret: "s3cret" } },
  install: { key: "install-key-0123456789" },
  tokens: { privateKeyFile: join(dir, "k.pem"), publicKeyFile: join(dir, "k.pub") },
};

function issues(raw: unknown): string[] {
  try {
    parseB24AppConfig(raw, "test", {});
  } catch (err) {
    expect(err).toBeInstanceOf(B24AppConfigError);
    return (err as B24AppConfigError).issues.map((i) => i.path);
  }
  return [];
}

describe("b24-app configuration", () => {
  it("names the path of every wrong key", () => {
    expect(issues(base)).toEqual([]);
    expect(issues({ ...base, portal: { ...base.portal, credential: { mode: "oauth", clientId: "x" } } })).toEqual(["portal.credential.clientSecret"]);
    expect(issues({ ...base, portal: { ...base.portal, credential: { mode: "webhook", webhookUrl: "nope" } } })).toEqual(["portal.credential.webhookUrl"]);
    expect(issues({ ...base, install: { key: "short" } })).toEqual(["install.key"]);
    expect(issues({ ...base, events: { mode: "sometimes" } })).toEqual(["events.mode"]);
    expect(issues({ ...base, extra: 1 })).toEqual([""]);
    const env = parseB24AppConfig({ ...base, install: {} }, "env", { B24_APP_INSTALL_KEY: "from-the-environment-123" });
    expect(env.install.key).toBe("from-the-environment-123");
  });
});

describe("scopes, tokens, install parsing", () => {
  it("expands presets and judges methods and batch commands", () => {
    const s = expandScopes(["connector"]);
    expect(methodAllowed(s, "telephony.externalCall.register")).toBe(true);
    expect(methodAllowed(s, "telephony.externalcall.finish.json")).toBe(true);
    expect(methodAllowed(s, "user.get")).toBe(true);
    expect(methodAllowed(s, "user.current")).toBe(true);
    expect(methodAllowed(s, "user.update")).toBe(false);
    // user.current rides on user.get (older tokens), never on anything less.
    expect(methodAllowed(["user.get"], "user.current")).toBe(true);
    expect(methodAllowed(["crm.deal.get"], "user.current")).toBe(false);
    expect(methodAllowed(s, "event.bind")).toBe(false);
    expect(methodAllowed(s, "batch")).toBe(false);
    expect(batchMethods({ a: "user.get?ID=1", b: "crm.lead.add" })).toEqual(["user.get", "crm.lead.add"]);
    expect(batchMethods(["user.get"])).toEqual(["user.get"]);
    expect(batchMethods({ a: 1 })).toBeUndefined();
    expect(() => expandScopes(["user.get; drop"])).toThrow(TypeError);
  });

  it("compares application tokens in constant time, over every accepted value", () => {
    expect(applicationTokenMatches("abc123abc123", ["zzz", "abc123abc123"])).toBe(true);
    expect(applicationTokenMatches("abc123abc12", ["abc123abc123"])).toBe(false);
    expect(applicationTokenMatches("", [""])).toBe(false);
    expect(applicationTokenMatches(["abc"], ["abc"])).toBe(false);
  });

  it("reads both install forms", () => {
    const ev = parseInstallRequest(
      { event: "ONAPPINSTALL", auth: { access_token: "a", refresh_token: "r", application_token: "t", member_id: "m", domain: "b24.local", expires: "100" } },
      {},
    );
    expect(ev).toMatchObject({ ui: false, record: { applicationToken: "t", memberId: "m", domain: "b24.local" }, pair: { accessToken: "a", refreshToken: "r", expires: 100 } });
    const ui = parseInstallRequest({ AUTH_ID: "a", REFRESH_ID: "r", member_id: "m", APPLICATION_TOKEN: "t" }, { DOMAIN: "b24.local" });
    expect(ui).toMatchObject({ ui: true, record: { applicationToken: "t", domain: "b24.local" } });
    expect(() => parseInstallRequest({ AUTH_ID: "a" }, {})).toThrow(/Script only/);
  });

  it("never logs a secret", () => {
    const lines: string[] = [];
    const log = createLogger({ level: "info", destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) });
    log.info({ token: "eyJ.secret", auth: { access_token: "A" }, credential: { webhookUrl: "https://p/rest/1/code/", clientSecret: "S" }, key: "K" }, "x");
    expect(lines.join("")).not.toMatch(/eyJ\.secret|"A"|rest\/1\/code|"S"|"K"/);
  });
});

describe("admin CLI (no Redis needed)", () => {
  it("writes keys once and prints what to paste into the portal", async () => {
    const file = join(dir, "cli.json");
    writeFileSync(file, JSON.stringify(base));
    expect(await runCli(["keygen", "--config", file], {})).toMatch(/ES256 key pair/);
    await expect(runCli(["keygen", "--config", file], {})).rejects.toBeInstanceOf(CliUsageError);
    const text = await runCli(["install-url", "--config", file], {});
    expect(text).toContain("https://b24-app.example.local:8090/b24/install?key=install-key-0123456789");
    expect(text).toContain("https://b24-app.example.local:8090/b24/events");
    expect(text).toContain("https://b24-app.example.local:8090/gateway");
    await expect(runCli(["frobnicate", "--config", file], {})).rejects.toBeInstanceOf(CliUsageError);
  });
});

const redis = await requireService("redis");

describe.runIf(redis)("service entry (main.ts)", () => {
  it("starts with --config, answers /status, stops on SIGTERM", async () => {
    const file = join(dir, "main.json");
    writeFileSync(
      file,
      JSON.stringify({ ...base, http: { host: "127.0.0.1", port: 0, publicUrl: "http://127.0.0.1:1" }, redis: { url: SERVICES.redis.url, prefix: uniquePrefix("main") } }),
    );
    await runCli(["keygen", "--config", file, "--force"], {});
    const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", main, "--config", file], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LOG_LEVEL: "info" } });
    let out = "";
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        const m = /"port":(\d+)[^\n]*b24-app listening/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const status = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ health: "Warning", installed: null, credential: "oauth", events: { mode: "online" } });
    child.kill("SIGTERM");
    const [code] = (await once(child, "exit")) as [number];
    expect(code).toBe(0);
    expect(out).not.toContain("s3cret");
  });
});
