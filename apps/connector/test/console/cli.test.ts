import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_USERS, requireService, SERVICES, startAmiReplayServer, startB24Emulator, uniquePrefix, type AmiReplayServer, type B24Emulator } from "@asterisk-b24/testkit";
import { main } from "../../src/cli.js";
import { checkConfigCommand, testConnectionsCommand } from "../../src/console/cli-commands.js";

const dir = mkdtempSync(join(tmpdir(), "ab24-console-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === "string" ? value : JSON.stringify(value, null, 2));
  return path;
}

describe("check-config", () => {
  const valid = { ami: { username: "crm", secret: "s3cret" }, b24: { auth: { mode: "webhook", webhookUrl: "https://portal.example/rest/1/abc/" } } };

  it("exit 0 for a valid file; exit 1 with each wrong key's path otherwise", () => {
    const out: string[] = [];
    expect(checkConfigCommand(configFile("ok.json", valid), (l) => out.push(l), {})).toBe(0);
    expect(out.join("\n")).toContain("the configuration is valid");

    const wrong: string[] = [];
    const bad = { ...valid, b24: { ...valid.b24, lanes: "four" }, http: { port: 99999 } };
    expect(checkConfigCommand(configFile("bad.json", bad), (l) => wrong.push(l), {})).toBe(1);
    expect(wrong[0]).toContain("2 wrong settings");
    expect(wrong.some((l) => /^ {2}- b24\.lanes: .*expected number/.test(l))).toBe(true);
    expect(wrong.some((l) => l.startsWith("  - http.port: "))).toBe(true);

    const notJson: string[] = [];
    expect(checkConfigCommand(configFile("broken.json", "{ ami: "), (l) => notJson.push(l), {})).toBe(1);
    expect(notJson[0]).toMatch(/not valid JSON/);
  });

  it("warns (still exit 0) when no default responsible is set: where calls nobody owns go", () => {
    const out: string[] = [];
    expect(checkConfigCommand(configFile("no-default.json", valid), (l) => out.push(l), {})).toBe(0);
    expect(out.some((l) => /^ {2}⚠ responsible\.defaultUserId: not set: calls nobody owns .* land on the Bitrix24 user of the connector's credential/.test(l))).toBe(true);

    const off: string[] = [];
    expect(checkConfigCommand(configFile("no-fallback.json", { ...valid, responsible: { fallbackToCredentialUser: false } }), (l) => off.push(l), {})).toBe(0);
    expect(off.some((l) => l.includes("calls nobody owns are NOT registered"))).toBe(true);

    const set: string[] = [];
    expect(checkConfigCommand(configFile("default.json", { ...valid, responsible: { defaultUserId: 7 } }), (l) => set.push(l), {})).toBe(0);
    expect(set.some((l) => l.includes("⚠"))).toBe(false);
  });

  it("is a command of the CLI (usage error without --config)", async () => {
    await expect(main(["check-config"])).rejects.toThrow(/check-config needs --config FILE/);
  });
});

const redisUp = await requireService("redis");
describe.runIf(redisUp)("test-connections (real AMI replay server, Bitrix24 emulator, Redis)", () => {
  let pbx: AmiReplayServer;
  let emu: B24Emulator;
  const monitorDir = mkdtempSync(join(dir, "monitor-"));
  beforeAll(async () => {
    pbx = await startAmiReplayServer({ recordings: [], speed: "asap" });
    emu = await startB24Emulator({ webhook: { userId: 1, code: "cli0test" }, users: DEMO_USERS, limits: false });
  });
  afterAll(async () => {
    await pbx?.close();
    await emu?.close();
  });
  const config = (secret: string) => ({
    ami: { host: pbx.host, port: pbx.port, username: "crm", secret },
    b24: { auth: { mode: "webhook", webhookUrl: emu.webhookUrl } },
    redis: { url: SERVICES.redis.url, prefix: uniquePrefix("console-cli").replace(/[^A-Za-z0-9:_-]/g, "_") },
    recordings: { monitorDir },
  });

  it("exit 0 when AMI (login + Ping), Redis, Bitrix24 and the recordings folder all answer", async () => {
    const out: string[] = [];
    expect(await testConnectionsCommand(configFile("conn-ok.json", config("secret")), (l) => out.push(l))).toBe(0);
    expect(out.find((l) => l.includes("Asterisk AMI"))).toMatch(/^✔ .*logged in as crm.*Ping → Pong/);
    expect(out.find((l) => l.includes("Redis"))).toMatch(/^✔ .*PONG/);
    expect(out.find((l) => l.includes("Bitrix24"))).toMatch(/^✔ .*user\.get returned 6 active users/);
    expect(out.find((l) => l.includes("Recordings folder"))).toMatch(/^✔ /);
    expect(out.at(-1)).toBe("all connections work");
    expect(pbx.actions.some((a) => a.get("Action") === "Ping")).toBe(true);
  });

  it("runs the recordings lookup query against the configured database (PostgreSQL)", async () => {
    if (!(await requireService("postgres"))) return;
    const out: string[] = [];
    const lookup = { driver: "postgres", connection: "postgres://postgres@127.0.0.1:5432/test", query: "SELECT '/x.wav' AS path WHERE :uniqueid = 'never'" };
    expect(await testConnectionsCommand(configFile("conn-db.json", { ...config("secret"), recordings: { monitorDir, lookup } }), (l) => out.push(l))).toBe(0);
    expect(out.find((l) => l.includes("Recordings database"))).toMatch(/^✔ Recordings database \(postgres\).*query ran/);
    const bad: string[] = [];
    const wrong = { ...lookup, query: "SELECT path FROM no_such_table_console WHERE uniqueid = :uniqueid" };
    expect(await testConnectionsCommand(configFile("conn-db-bad.json", { ...config("secret"), recordings: { monitorDir, lookup: wrong } }), (l) => bad.push(l))).toBe(1);
    expect(bad.find((l) => l.includes("Recordings database"))).toMatch(/^✘ .*no_such_table_console/);
  });

  it("exit 1 naming the refusal when the AMI secret is wrong or the folder is missing", async () => {
    const out: string[] = [];
    const cfg = { ...config("wrong-secret"), recordings: { monitorDir: join(dir, "no-such-folder") } };
    expect(await testConnectionsCommand(configFile("conn-bad.json", cfg), (l) => out.push(l))).toBe(1);
    expect(out.find((l) => l.includes("Asterisk AMI"))).toMatch(/^✘ .*Authentication failed/);
    expect(out.find((l) => l.includes("Recordings folder"))).toMatch(/^✘ .*ENOENT/);
    expect(out.find((l) => l.includes("Redis"))).toMatch(/^✔ /);
    expect(out.at(-1)).toBe("2 connections failed");
  });
});
