/**
 * `asterisk-b24-connector run --config FILE` with `b24.auth.mode = "oauth"`: the token pair from the
 * config file is what the connector uses (it was once stored as undefined), so a real call is
 * registered and finished through OAuth in the Bitrix24 emulator.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEMO_USERS, requireService, SERVICES, startAmiReplayServer, startB24Emulator, uniquePrefix, type B24Emulator } from "@asterisk-b24/testkit";

const available = await requireService("redis");
const CLI = join(import.meta.dirname, "../../src/cli.ts");

async function waitFor<T>(what: string, probe: () => T | undefined, log: () => string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; connector output:\n${log().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const finishedCall = (emu: B24Emulator) => emu.calls().find((c) => c.finish !== undefined);

describe.runIf(available)("an OAuth-mode connector from a config file", () => {
  it("registers and finishes a call with the token pair from the file", async () => {
    const oauth = { clientId: "local.oauthcfg", clientSecret: "oauth0cfg0secret" };
    const emu = await startB24Emulator({ oauth, users: DEMO_USERS, limits: false });
    const tokens = emu.issueOAuthTokens();
    const pbx = await startAmiReplayServer({ recordings: ["01_inbound_ext101_answered"], speed: "asap" });
    const dir = mkdtempSync(join(tmpdir(), "ab24-oauth-"));
    const cfg = join(dir, "connector.json");
    writeFileSync(
      cfg,
      JSON.stringify({
        ami: { host: pbx.host, port: pbx.port, username: "crm" },
        b24: {
          auth: { mode: "oauth", portalUrl: emu.url, oauthServerUrl: emu.oauthTokenUrl, ...oauth, accessToken: tokens.access_token, refreshToken: tokens.refresh_token },
          batchWindowMs: 10,
        },
        redis: { url: SERVICES.redis.url, prefix: uniquePrefix("oauthcfg") },
        http: { host: "127.0.0.1", port: 0 },
        license: { file: join(dir, "none.jwt") },
        log: { level: "info" },
      }),
    );
    const child = spawn(process.execPath, ["--import", "tsx", CLI, "run", "--config", cfg], {
      env: { ...process.env, ASTERISK_B24_AMI_SECRET: "secret" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    try {
      const call = await waitFor(
        "the call to be finished in Bitrix24",
        () => finishedCall(emu),
        () => out,
      );
      expect(call.registeredBy).toBe("oauth");
      expect(call.finish?.params.STATUS_CODE).toBe("200");
      const viaOAuth = emu.requests().filter((r) => r.auth === "oauth" && r.status === 200);
      expect(viaOAuth.length).toBeGreaterThan(0);
      expect(emu.requests().some((r) => r.auth === null && r.method !== "")).toBe(false);
      // the tokens from the file never show in the logs
      expect(out).not.toContain(tokens.refresh_token);
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
      await pbx.close();
      await emu.close();
    }
  });
});
