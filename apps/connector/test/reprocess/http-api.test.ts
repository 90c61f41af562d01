/** The reprocessing HTTP contract: validation, 202 {id}, summaries, one run at a time, cancel; schedule settings. */
import { describe, expect, it } from "vitest";
import { requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { parseConfig } from "../../src/config/index.js";
import { startStack } from "../../src/demo/stack.js";
import { silentLogger } from "../../src/log/logger.js";
import { scheduleCron } from "../../src/reprocess/config.js";
import type { RunSummary } from "../../src/reprocess/index.js";
import { firstCelTime, loadCelTables, recordingRows } from "./cel-db.js";
import { DAY, runEnded } from "./helpers.js";

const available = (await requireService("redis")) && (await requireService("mariadb"));

describe("reprocess.schedule", () => {
  const base = { ami: { username: "u", secret: "s" }, b24: { auth: { mode: "webhook", webhookUrl: "https://p.example/rest/1/x/" } } };
  const cron = (schedule: unknown) => scheduleCron(parseConfig({ ...base, reprocess: { schedule } }, "t", {}).reprocess.schedule);
  it("defaults to Sunday 02:00 over the previous 7 days, all calls", () => {
    expect(scheduleCron(parseConfig(base, "t", {}).reprocess.schedule)).toEqual({ pattern: "0 2 * * 0", days: 7, only: "all" });
  });
  it("takes a weekday/time, a cron pattern, or false", () => {
    expect(cron({ weekday: "saturday", time: "23:30", days: 1, only: "missing" })).toEqual({ pattern: "30 23 * * 6", days: 1, only: "missing" });
    expect(cron("15 3 * * *")).toEqual({ pattern: "15 3 * * *", days: 7, only: "all" });
    expect(cron({ cron: "0 4 * * 1-5", days: 2 })).toEqual({ pattern: "0 4 * * 1-5", days: 2, only: "all" });
    expect(cron(false)).toBeUndefined();
  });
  it("names the wrong key", () => {
    expect(() => parseConfig({ ...base, reprocess: { schedule: { weekday: "sunday", time: "25:00" } } }, "t", {})).toThrow(/reprocess\.schedule/);
    expect(() => parseConfig({ ...base, reprocess: { lanes: "2" } }, "t", {})).toThrow(/reprocess\.lanes/);
  });
});

describe.runIf(available)("POST/GET/DELETE /api/reprocess", () => {
  it("validates, queues one run at a time, reports progress and cancels", async () => {
    const now = Date.now();
    const name = "01_inbound_ext101_answered";
    const cel = await loadCelTables(
      "mysql",
      `rp_http_${process.pid}_${Date.now().toString(36)}`,
      await recordingRows([name], now - 2 * DAY - (await firstCelTime([name])), 300, 10_000),
    );
    const stack = await startStack({
      recordings: [],
      speed: "asap",
      redisUrl: SERVICES.redis.url,
      redisPrefix: uniquePrefix("rp-http"),
      logger: silentLogger(),
      limits: { burst: 5, drainPerSec: 2 },
      config: { cel: cel.config, recordings: { enabled: false }, reprocess: { schedule: false, concurrency: 20 } } as never,
    });
    const api = `http://127.0.0.1:${stack.connector.httpPort}/api/reprocess`;
    const post = (body: unknown) => fetch(api, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    try {
      const bad = await post({ from: "yesterday", to: new Date(now).toISOString(), only: "some" });
      expect(bad.status).toBe(400);
      const body = (await bad.json()) as { error: string; message: string };
      expect(body.error).toBe("bad_request");
      const err = body.message;
      expect(err).toMatch(/from: an ISO-8601/);
      expect(err).toMatch(/only:/);
      expect((await post({ from: new Date(now).toISOString(), to: new Date(now - DAY).toISOString() })).status).toBe(400);

      const period = { from: new Date(now - 7 * DAY).toISOString(), to: new Date(now).toISOString() };
      const first = await post(period);
      expect(first.status).toBe(202);
      const { id } = (await first.json()) as { id: string };
      const second = (await (await post({ ...period, only: "missing", dryRun: true })).json()) as { id: string };

      // The first runs, the second waits its turn.
      let run: RunSummary;
      do run = (await (await fetch(`${api}/${id}`)).json()) as RunSummary;
      while (run.progress.done < 10);
      expect(run).toMatchObject({ id, status: "running", params: { ...period, only: "all", dryRun: false, trigger: "api" } });
      expect(run.progress.total).toBeGreaterThanOrEqual(run.progress.done);
      expect(typeof run.progress.etaSeconds).toBe("number");
      expect(((await (await fetch(`${api}/${second.id}`)).json()) as RunSummary).status).toBe("queued");
      const list = (await (await fetch(api)).json()) as { runs: RunSummary[] };
      expect(list.runs.map((r) => r.id)).toEqual([second.id, id]);

      // Cancel the queued one at once, then the running one.
      const c2 = await fetch(`${api}/${second.id}`, { method: "DELETE" });
      expect(c2.status).toBe(200);
      expect(((await c2.json()) as RunSummary).status).toBe("cancelled");
      expect((await fetch(`${api}/${id}`, { method: "DELETE" })).status).toBe(200);
      const ended = await runEnded(stack.connector, id);
      expect(ended.status).toBe("cancelled");
      expect(ended.counts!.checked).toBeLessThan(300);
      expect(ended.counts!.checked).toBe(ended.counts!.fixed);
      expect((await fetch(`${api}/nope`)).status).toBe(404);
      expect((await fetch(`${api}/${id}/report.pdf`)).status).toBe(404);
      const errors = await fetch(`${api.replace(/reprocess$/, "errors/stats")}?period=week`);
      expect(errors.status).toBe(400);
      const hourly = (await (await fetch(`${api.replace(/reprocess$/, "errors/stats")}?period=hour`)).json()) as {
        buckets: Array<{ start: string; total: number; byType: Record<string, number> }>;
      };
      expect(hourly.buckets).toHaveLength(24);
    } finally {
      await stack.close();
      await cel.drop().catch(() => undefined);
    }
  }, 300_000);
});
