/**
 * Start-up and stop faults, with the connector as a real process (what systemd / Docker run):
 * Bitrix24 down at start, a refused webhook, a refused AMI login, Redis unreachable, SIGTERM while
 * a recording is still being written. No call made meanwhile may be lost; every variant stops on
 * SIGTERM. Everything waits for conditions (generous limits), never for a fixed time.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEMO_USERS,
  type AmiReplayServer,
  type B24Emulator,
  type FaultsConfig,
  loadRecording,
  RECORDED_MONITOR_DIR,
  recordingFileNames,
  requireService,
  silentWav,
  SERVICES,
  startAmiReplayServer,
  startB24Emulator,
  uniquePrefix,
} from "@asterisk-b24/testkit";
import { runHealthcheck, startConnectorProcess, until, type ConnectorProcess } from "./process.js";

const available = await requireService("redis");

/** Inbound answered, outbound answered, inbound missed in a queue: three calls for the CRM. */
const RECORDINGS = ["01_inbound_ext101_answered", "06_outbound_answered", "03_inbound_queue_missed"];
const EXPECTED_CALLS = RECORDINGS.reduce((n, name) => n + loadRecording(name).expect.expect.calls.length, 0);

function baseConfig(pbx: { host: string; port: number }, webhookUrl: string, prefix: string, extra: Record<string, unknown> = {}) {
  return {
    ami: { host: pbx.host, port: pbx.port, username: "crm" },
    b24: { auth: { mode: "webhook", webhookUrl } },
    redis: { url: SERVICES.redis.url, prefix },
    recordings: { enabled: false },
    ...extra,
  };
}

function queued(doc: { app: Record<string, Record<string, unknown>> }): number {
  return ((doc.app.calls?.calls_queue as { calls?: number } | undefined)?.calls ?? 0) as number;
}

interface World {
  emu: B24Emulator;
  pbx: AmiReplayServer;
  /** A connector process, killed at the end of the scenario whatever happened. */
  spawn(config: Record<string, unknown>, env?: Record<string, string>): ConnectorProcess;
}

/** An emulated portal and PBX for one scenario; everything is closed afterwards. */
async function scenario(o: { code: string; recordings: string[]; faults?: FaultsConfig }, body: (w: World) => Promise<void>): Promise<void> {
  const emu = await startB24Emulator({ webhook: { userId: 1, code: o.code }, users: DEMO_USERS, limits: false, ...(o.faults ? { faults: o.faults } : {}) });
  const pbx = await startAmiReplayServer({ recordings: o.recordings, speed: "asap" });
  const procs: ConnectorProcess[] = [];
  try {
    await body({ emu, pbx, spawn: (config, env) => (procs.push(startConnectorProcess(config, env)), procs.at(-1)!) });
  } finally {
    for (const p of procs) p.child.kill("SIGKILL");
    await pbx.close();
    await emu.close();
  }
}

describe.runIf(available)("start-up faults never lose calls (connector process)", () => {
  it("Bitrix24 down at start: AMI connected and calls queued at once; each lands exactly once when the portal answers", async () => {
    expect(EXPECTED_CALLS).toBe(3);
    await scenario({ code: "down0code0x", recordings: RECORDINGS, faults: { outageMs: 3_600_000 } }, async ({ emu, pbx, spawn }) => {
      const proc = spawn(baseConfig(pbx, emu.webhookUrl, uniquePrefix("b24down")));
      // HTTP and AMI while every Bitrix24 request fails: nothing waits for the portal.
      await until("AMI connected during the outage", async () => (await proc.status()).doc.app.ami!.connected === true);
      await pbx.done;
      const during = await until("the calls queued in Redis", async () => {
        const s = await proc.status();
        return queued(s.doc) >= EXPECTED_CALLS ? s : undefined;
      });
      expect(emu.calls()).toEqual([]);
      expect(during.doc.app.crm!.problems).toContain("Bitrix24 users not loaded yet (portal unreachable?): calls are tracked and wait in the queue");
      expect(emu.stats().faults.outage).toBeGreaterThan(0);

      emu.setFaults({});
      await until("every call finished in Bitrix24", () => emu.calls().filter((c) => c.finish).length >= EXPECTED_CALLS, 180_000);
      await until("the queue drained", async () => queued((await proc.status()).doc) === 0);
      expect(emu.calls().length).toBe(EXPECTED_CALLS);
      for (const c of emu.calls())
        expect({ call: c.CALL_ID, reRegistrations: c.reRegistrations, finished: !!c.finish }).toEqual({ call: c.CALL_ID, reRegistrations: 0, finished: true });
      const st = await proc.status();
      expect(st.doc.app.crm!.health).toBe("Ok");
      expect(await proc.stop()).toBe(0);
    });
  }, 300_000);

  it("a refused webhook: keeps running and queueing, /status 503 names b24.auth.webhookUrl; with the right one the calls land once", async () => {
    await scenario({ code: "right0code0x", recordings: RECORDINGS }, async ({ emu, pbx, spawn }) => {
      const prefix = uniquePrefix("badhook");
      const wrong = emu.webhookUrl.replace("right0code0x", "wrong0code0x");
      const first = spawn(baseConfig(pbx, wrong, prefix));
      await pbx.done;
      const refused = await until("status Error naming the key", async () => {
        const s = await first.status();
        return s.code === 503 && s.doc.problems.some((p) => p.includes("b24.auth.webhookUrl")) && queued(s.doc) >= EXPECTED_CALLS ? s : undefined;
      });
      expect(refused.doc.app_status).toBe("Error");
      expect(refused.doc.app.crm!.health).toBe("Error");
      expect(refused.doc.problems.find((p) => p.startsWith("crm: Bitrix24 refuses the credential"))).toMatch(/fix b24\.auth\.webhookUrl \(or ASTERISK_B24_WEBHOOK_URL\)/);
      // Retried with back-off, never crashed: still up after more than one refused attempt.
      await until("a second refused attempt", () => emu.requests().filter((r) => r.status === 401).length >= 2);
      expect(first.hasExited()).toBe(false);
      expect(emu.calls()).toEqual([]);
      expect(first.output()).not.toContain("wrong0code0x"); // the webhook secret never shows in logs
      expect(await first.stop()).toBe(0);

      // The operator fixes the webhook and restarts: the calls kept in Redis land, once each.
      const second = spawn(baseConfig(pbx, emu.webhookUrl, prefix));
      await until("every call finished in Bitrix24", () => emu.calls().filter((c) => c.finish).length >= EXPECTED_CALLS, 180_000);
      await until("the queue drained", async () => queued((await second.status()).doc) === 0);
      expect(emu.calls().length).toBe(EXPECTED_CALLS);
      for (const c of emu.calls()) expect(c.reRegistrations).toBe(0);
      expect((await second.status()).code).toBe(200);
      expect(await second.stop()).toBe(0);
    });
  }, 300_000);

  it("a refused AMI login exits with 78 (EX_CONFIG) naming ami.username / ami.secret", async () => {
    await scenario({ code: "ami0code0x", recordings: [] }, async ({ emu, pbx, spawn }) => {
      const proc = spawn(baseConfig(pbx, emu.webhookUrl, uniquePrefix("amisecret")), { ASTERISK_B24_AMI_SECRET: "not-the-secret" });
      expect(await proc.exited).toBe(78);
      expect(proc.output()).toContain('Asterisk refused the AMI login of ami.username "crm"');
      expect(proc.output()).toContain("fix ami.username / ami.secret (or ASTERISK_B24_AMI_SECRET)");
      expect(proc.output()).not.toContain("not-the-secret");
    });
  }, 120_000);

  it("Redis unreachable: /status answers 503 naming redis.url, and SIGTERM stops it", async () => {
    await scenario({ code: "redis0code0x", recordings: [] }, async ({ emu, pbx, spawn }) => {
      const proc = spawn({ ...baseConfig(pbx, emu.webhookUrl, uniquePrefix("noredis")), redis: { url: "redis://127.0.0.1:1", prefix: "x" } });
      const s = await until("status answers Error", async () => {
        const r = await proc.status();
        return r.code === 503 && r.doc.app.redis?.health === "Error" ? r : undefined;
      });
      expect(s.doc.problems.some((p) => p.startsWith("redis: Redis unreachable at redis.url redis://127.0.0.1:1"))).toBe(true);
      expect(s.doc.app.ami!.connected).toBe(false); // AMI waits for Redis: nothing to keep calls in
      expect(pbx.logins).toBe(0);
      // The bundled probe (Docker HEALTHCHECK) reads the port and the admin credentials from the config.
      const probe = await runHealthcheck(proc);
      expect(probe.code).toBe(1);
      expect(probe.stderr).toMatch(/answered 503: redis: Redis unreachable at redis\.url redis:\/\/127\.0\.0\.1:1/);
      expect(await proc.stop()).toBe(0);
      // one line per problem, not one per reconnect attempt
      expect(proc.lines().filter((l) => String(l.msg).startsWith("Redis unreachable")).length).toBeLessThanOrEqual(3);
    });
  }, 120_000);

  it("SIGTERM while a recording is still being written: stops at once; after the restart the recording is attached, the call finished once", async () => {
    await scenario({ code: "rec0code0x", recordings: ["01_inbound_ext101_answered"] }, async ({ emu, pbx, spawn }) => {
      const monitor = mkdtempSync(join(tmpdir(), "ab24-monitor-"));
      const prefix = uniquePrefix("recstop");
      // The recording is never there while the first process runs; it would wait 10 minutes for it.
      const config = baseConfig(pbx, emu.webhookUrl, prefix, {
        recordings: { enabled: true, mounts: [{ pbx: RECORDED_MONITOR_DIR, local: monitor }], waitTimeoutMs: 600_000 },
      });
      const first = spawn(config);
      const call = await until("the call finished in Bitrix24", () => emu.calls().find((c) => c.finish));
      await until("waiting for the recording", async () => {
        const r = (await (await first.get("/api/calls?limit=10")).json()) as Array<{ status: string }>;
        return r.length === 1 && r[0]!.status === "in_progress";
      });
      expect(call.records).toEqual([]);
      expect(await first.stop()).toBe(0); // long before the 10-minute wait would end
      expect(first.lines().some((l) => l.msg === "recording not attached")).toBe(false);

      // MixMonitor is done now: the file appears.
      for (const file of recordingFileNames(loadRecording("01_inbound_ext101_answered"))) {
        const local = join(monitor, relative(RECORDED_MONITOR_DIR, file));
        mkdirSync(dirname(local), { recursive: true });
        writeFileSync(local, silentWav(1));
      }

      const second = spawn(config);
      await until("the recording attached after the restart", () => (emu.call(call.CALL_ID)?.records.length ?? 0) > 0, 180_000);
      const after = await until("the call delivered", async () => {
        const r = (await (await second.get("/api/calls?limit=10")).json()) as Array<{ status: string }>;
        return r[0]?.status === "delivered" ? r : undefined;
      });
      expect(after.length).toBe(1);
      expect(emu.calls().length).toBe(1);
      expect(
        emu
          .requests()
          .filter((r) => r.method === "telephony.externalcall.finish" && r.error)
          .map((r) => r.error),
      ).toEqual([]);
      expect(emu.call(call.CALL_ID)!.finish!.at).toBe(call.finish!.at); // not finished a second time
      expect(await second.stop()).toBe(0);
    });
  }, 300_000);
});
