/**
 * `asterisk-b24 run --config FILE` as a real child process: starts on a config file, connects to
 * AMI and Bitrix24, answers /status, stops cleanly on SIGTERM; a bad config names the wrong key.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEMO_USERS, requireService, SERVICES, startAmiReplayServer, startB24Emulator, uniquePrefix } from "@asterisk-b24/testkit";

const available = await requireService("redis");
const CLI = join(import.meta.dirname, "../../src/cli.ts");
const TSX = ["--import", "tsx"];

describe.runIf(available)("the connector service", () => {
  it("runs from a config file, answers /status and stops on SIGTERM", async () => {
    const emu = await startB24Emulator({ webhook: { userId: 1, code: "svc0code0x" }, users: DEMO_USERS, limits: false });
    const pbx = await startAmiReplayServer({ recordings: ["01_inbound_ext101_answered"], speed: "asap" });
    const dir = mkdtempSync(join(tmpdir(), "ab24-svc-"));
    const cfg = join(dir, "connector.json");
    writeFileSync(
      cfg,
      JSON.stringify({
        ami: { host: pbx.host, port: pbx.port, username: "crm" },
        b24: { auth: { mode: "webhook", webhookUrl: emu.webhookUrl } },
        redis: { url: SERVICES.redis.url, prefix: uniquePrefix("svc") },
        http: { host: "127.0.0.1", port: 0, auth: { user: "admin", password: "admin-password" } },
        license: { file: join(dir, "none.jwt") },
        log: { level: "info" },
      }),
    );
    const child = spawn(process.execPath, [...TSX, CLI, "run", "--config", cfg], { env: { ...process.env, ASTERISK_B24_AMI_SECRET: "secret" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    try {
      let port = 0;
      for (let i = 0; i < 200 && !port; i++) {
        const m = /"port":(\d+),"msg":"http listening"/.exec(out);
        if (m) port = Number(m[1]);
        else await new Promise((r) => setTimeout(r, 50));
      }
      expect(port).toBeGreaterThan(0);
      const auth = { authorization: "Basic " + Buffer.from("admin:admin-password").toString("base64") };
      let status: { app_status: string; app: { ami: { connected: boolean }; license: { state: string } } } | undefined;
      for (let i = 0; i < 100; i++) {
        status = (await (await fetch(`http://127.0.0.1:${port}/status`, { headers: auth })).json()) as typeof status;
        if (status?.app.ami.connected) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(status?.app.ami.connected).toBe(true);
      expect(status?.app.license.state).toBe("evaluation");
      expect((await fetch(`http://127.0.0.1:${port}/status`)).status).toBe(401);
      // the secret from the environment never shows in the logs
      expect(out).not.toContain("svc0code0x");
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
      await pbx.close();
      await emu.close();
    }
  });

  it("refuses a bad configuration with the path of the wrong key", () => {
    const dir = mkdtempSync(join(tmpdir(), "ab24-svc-"));
    const cfg = join(dir, "bad.json");
    writeFileSync(cfg, JSON.stringify({ ami: { username: "crm", secret: "s" }, b24: { auth: { mode: "webhook", webhookUrl: "http://x/rest/1/y/" }, lanes: 0 } }));
    const res = spawnSync(process.execPath, [...TSX, CLI, "run", "--config", cfg], { encoding: "utf8", timeout: 30_000 });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain("b24.lanes");
    expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace for a user error
  });
});
