/**
 * Must show: the connector is down for part of a replay (the AMI events of that time are lost for
 * good), the CEL of the same calls is in MariaDB; the scheduled run (triggered now, not in a week)
 * finds the calls the live pass never saw and lands them; the report lists them as fixed; no call
 * is registered twice. The HTTP API serves the run and its report.
 */
import { describe, expect, it } from "vitest";
import { loadRecording, recordingNames, requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { startStack } from "../../src/demo/stack.js";
import { silentLogger } from "../../src/log/logger.js";
import type { RunSummary } from "../../src/reprocess/index.js";
import { CEL_NAMES } from "../cel/fixtures.js";
import { firstCelTime, loadCelTables, recordingRows } from "./cel-db.js";
import { duplicates, runEnded } from "./helpers.js";

const available = (await requireService("redis")) && (await requireService("mariadb"));

describe.runIf(available)("scheduled reprocessing after the connector was down", () => {
  it("finds the calls the live pass never saw, lands them once, and reports them fixed", async () => {
    // Calls the connector handles alone (no click-to-call: no one clicks while it is down).
    const names = recordingNames().filter((n) => CEL_NAMES.includes(n) && !loadRecording(n).expect.clickToCall);
    const recordings = names.map((n) => loadRecording(n));
    const total = recordings.reduce((n, r) => n + r.messages.length, 0);
    const atMessage = Math.floor(total * 0.3);
    const lose = Math.floor(total * 0.4);
    const shift = Date.now() - 3600_000 - (await firstCelTime(names));
    const tag = `rp_sched_${process.pid}_${Date.now().toString(36)}`;
    const cel = await loadCelTables("mysql", tag, await recordingRows(names, shift));
    const stack = await startStack({
      recordings,
      speed: "asap",
      redisUrl: SERVICES.redis.url,
      redisPrefix: uniquePrefix("rp-sched"),
      logger: silentLogger(),
      limits: false,
      drop: { atMessage, lose, resume: "afterCoreShowChannels" },
      config: {
        b24: { jobLockMs: 2000 },
        cel: cel.config,
        http: { auth: { user: "admin", password: "secret-pass" } },
        reprocess: { schedule: { weekday: "sunday", time: "02:00", days: 7 } },
      } as never,
    });
    try {
      while (stack.pbx.position < atMessage) await new Promise((r) => setTimeout(r, 2));
      await stack.crash();
      await stack.restartConnector();
      await stack.idle();

      const landedLive = new Set(stack.emu.calls().map((c) => c.EXTERNAL_CALL_ID));
      const external = recordings.filter((r) => r.expect.expect.calls.length > 0).length;
      const missing = external - stack.emu.calls().length;
      expect(missing, "the outage must have cost some calls").toBeGreaterThan(0);

      // The weekly schedule, fired now.
      const connector = stack.connector;
      await connector.reprocess.runner.triggerSchedule();
      let run: RunSummary | undefined;
      while (!run) {
        run = (await connector.reprocess.list()).find((r) => r.params.trigger === "schedule");
        if (!run) await new Promise((r) => setTimeout(r, 50));
      }
      run = await runEnded(connector, run.id);
      expect(run.status, run.error).toBe("done");
      expect(Date.parse(run.params.to) - Date.parse(run.params.from)).toBe(7 * 86_400_000);

      // Every call is in the CRM now, once.
      expect(stack.emu.calls()).toHaveLength(external);
      expect(duplicates(stack.emu)).toEqual([]);
      expect(stack.emu.calls().filter((c) => !c.finish)).toEqual([]);
      const fixedKeys = stack.emu
        .calls()
        .map((c) => c.EXTERNAL_CALL_ID)
        .filter((k) => !landedLive.has(k));
      expect(fixedKeys).toHaveLength(missing);

      // The report (over HTTP, behind the admin auth) lists them as fixed.
      const base = `http://127.0.0.1:${connector.httpPort}/api`;
      const auth = { authorization: `Basic ${Buffer.from("admin:secret-pass").toString("base64")}` };
      expect((await fetch(`${base}/reprocess`)).status).toBe(401);
      const report = (await (await fetch(`${base}/reprocess/${run.id}/report.json`, { headers: auth })).json()) as {
        counts: RunSummary["counts"];
        fixed: Array<{ callKey: string; actions: string[] }>;
        toCheck: unknown[];
      };
      expect(report.counts!.fixed).toBeGreaterThanOrEqual(missing);
      for (const k of fixedKeys) expect(report.fixed.map((c) => c.callKey)).toContain(k);
      for (const c of report.fixed.filter((f) => fixedKeys.includes(f.callKey))) expect(c.actions).toContain("registered and finished");
      expect(report.toCheck).toEqual([]);
      const listed = (await (await fetch(`${base}/reprocess`, { headers: auth })).json()) as { runs: RunSummary[] };
      expect(listed.runs[0]!.id).toBe(run.id);
      const html = await (await fetch(`${base}/reprocess/${run.id}/report.html`, { headers: auth })).text();
      expect(html).toContain(`<b id="fixed">${report.counts!.fixed}</b>`);
      const csv = await (await fetch(`${base}/reprocess/${run.id}/report.csv`, { headers: auth })).text();
      for (const k of fixedKeys) expect(csv).toContain(`fixed,${k},`);

      // Statistics: the live pass missed calls, reprocessing put them right.
      const stats = (await (await fetch(`${base}/errors/stats?period=day`, { headers: auth })).json()) as {
        buckets: unknown[];
        liveErrorRate: number;
        afterReprocessErrorRate: number;
      };
      expect(stats.buckets.length).toBe(30);
      expect(stats.liveErrorRate).toBeGreaterThan(0);
      expect(stats.afterReprocessErrorRate).toBe(0);
      const status = (await (await fetch(`http://127.0.0.1:${connector.httpPort}/status`, { headers: auth })).json()) as { app: Record<string, Record<string, unknown>> };
      expect(JSON.stringify(status)).toContain("live_error_rate");
      const metrics = await (await fetch(`http://127.0.0.1:${connector.httpPort}/metrics`, { headers: auth })).text();
      expect(metrics).toMatch(/ab24_live_error_rate \d/);

      // A second run finds nothing left to do.
      const again = await runEnded(connector, (await connector.reprocess.submit({ ...run.params, trigger: "api" })).id);
      expect(again.counts!.fixed).toBe(0);
      expect(again.counts!.stillWrong).toBe(0);
      expect(stack.emu.calls()).toHaveLength(external);
    } finally {
      await stack.close();
      await cel.drop().catch(() => undefined);
    }
  }, 600_000);
});
