/**
 * Redis itself restarts (SIGKILL, then started again on its AOF) while batches are queued and in
 * flight: every call is delivered once. Uses a private redis-server on its own port and directory
 * (the shared one on 6379 is never touched). Needs the redis-server binary; under CI=true its absence fails.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { portOpen, startB24Emulator } from "@asterisk-b24/testkit";
import { B24Client, webhookAuth } from "../../src/crm/index.js";
import { until } from "./helpers.js";

function hasRedisServer(): boolean {
  try {
    execSync("command -v redis-server", { stdio: "ignore" });
    return true;
  } catch {
    if (process.env.CI === "true" || process.env.CI === "1") throw new Error("redis-server binary missing (CI=true: must not skip)");
    return false;
  }
}

const available = hasRedisServer();
const dir = mkdtempSync(join(tmpdir(), "crm-aof-"));
const port = 20000 + Math.floor(Math.random() * 20000);
let redis: ChildProcess | undefined;

function startRedis(): Promise<void> {
  redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--save", ""], { stdio: "ignore" });
  return until(() => portOpen("127.0.0.1", port, 200));
}

afterAll(() => {
  redis?.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!available)("Redis restart with AOF", () => {
  it("queued and in-flight batches survive a Redis crash and restart: all delivered, none twice", async () => {
    await startRedis();
    const emu = await startB24Emulator({
      webhook: { userId: 1, code: "k" },
      users: [{ ID: 1, NAME: "Anna", UF_PHONE_INNER: "101", ACTIVE: true }],
      limits: false,
      faults: { latencyMs: 200 },
    });
    const client = new B24Client({
      portal: "p",
      prefix: "aof",
      redis: { host: "127.0.0.1", port },
      auth: webhookAuth(emu.webhookUrl),
      lanes: 2,
      batch: { maxCommands: 10, windowMs: 5 },
      retry: { baseDelayMs: 100, maxDelayMs: 1000 },
      queue: { lockDurationMs: 3000, stalledIntervalMs: 1000 },
    });
    try {
      const n = 150;
      const pending = Array.from({ length: n }, (_, i) =>
        client.chain(
          [
            {
              name: "reg",
              method: "telephony.externalcall.register",
              params: { USER_ID: 1, PHONE_NUMBER: `+7903${String(i).padStart(7, "0")}`, TYPE: 2, EXTERNAL_CALL_ID: `aof-${i}`, SHOW: 0 },
            },
            { name: "show", method: "telephony.externalcall.show", params: { CALL_ID: "$result[reg][CALL_ID]", USER_ID: 1 } },
          ],
          { id: `aof-${i}` },
        ),
      );
      await until(() => emu.stats().callsRegistered >= 20);
      redis!.kill("SIGKILL");
      await new Promise((r) => redis!.once("exit", r));
      const atCrash = emu.stats().callsRegistered;
      await new Promise((r) => setTimeout(r, 1000));
      await startRedis();
      const results = await Promise.all(pending);
      expect(atCrash).toBeLessThan(n);
      for (const r of results) expect(r.reg!.ok).toBe(true);
      const calls = emu.calls();
      expect(calls).toHaveLength(n);
      expect(new Set(calls.map((c) => c.EXTERNAL_CALL_ID)).size).toBe(n);
    } finally {
      await client.close();
      await emu.close();
    }
  });
});
