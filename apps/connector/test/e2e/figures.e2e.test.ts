/**
 * Queue and manager figures over the real stack (AMI replay of the real recordings → connector
 * → b24-app → Bitrix24 emulator, real Redis): /api/figures, the CSV download and /metrics agree
 * with the journal of the same calls.
 */
import { describe, expect, it } from "vitest";
import { loadRecording, requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { silentLogger } from "../../src/log/logger.js";
import { startStack } from "../../src/demo/stack.js";
import type { FiguresWithUsers } from "../../src/figures/index.js";

const available = await requireService("redis");

const NAMES = ["01_inbound_ext101_answered", "02_inbound_queue_sales_102_answers", "03_inbound_queue_missed", "06_outbound_answered", "17a_inbound_ringgroup_102_answers"];

describe.runIf(available)("queue and manager figures (real stack)", () => {
  it("per queue and per manager from the tracker's data, adding up with the journal", async () => {
    // The tracker times calls by the PBX's event times: an "asap" replay runs them ahead of the wall clock.
    const from = new Date(Date.now() - 60_000).toISOString();
    const to = new Date(Date.now() + 86_400_000).toISOString();
    const period = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    const stack = await startStack({
      recordings: NAMES.map((n) => loadRecording(n)),
      speed: "asap",
      redisUrl: SERVICES.redis.url,
      redisPrefix: uniquePrefix("figures-e2e"),
      logger: silentLogger(),
      config: { figures: { serviceLevelSeconds: 10, timeZone: "Europe/Moscow" } },
    });
    try {
      await stack.idle();
      const base = `http://127.0.0.1:${stack.connector.httpPort}`;
      const res = await fetch(`${base}/api/figures?${period}`);
      expect(res.status).toBe(200);
      const f = (await res.json()) as FiguresWithUsers;
      expect(f).toMatchObject({ period: "custom", timeZone: "Europe/Moscow", serviceLevelSec: 10 });

      // The journal of the same period: every call finished, and the figures count the same calls.
      const journal = await stack.connector.journal.list({ fromMs: Date.parse(from), toMs: Date.parse(to), limit: 1000 });
      expect(journal.filter((c) => c.status === "in_progress" || c.status === "failed")).toEqual([]);
      expect(f.totals.calls).toBe(journal.length);
      const inbound = journal.filter((c) => c.direction === "inbound");
      expect(f.totals.inbound).toBe(inbound.length);
      // Bitrix24 STATUS_CODE 200 = answered; the rest of the inbound calls were missed by everybody.
      expect(f.totals.answeredInbound).toBe(inbound.filter((c) => c.statusCode === "200").length);
      expect(f.totals.missedByAll + f.totals.ivr).toBe(inbound.filter((c) => c.statusCode !== "200").length);
      expect(f.missedByAll.map((m) => m.key)).toEqual(inbound.filter((c) => c.statusCode !== "200").map((c) => c.callKey));

      expect(f.queues).toEqual([
        expect.objectContaining({ queue: "sales", offered: 2, answered: 1, abandoned: 1, other: 0, answeredWithin: 1, serviceLevel: 0.5, avgTalkSec: 12 }),
      ]);
      const m = Object.fromEntries(f.managers.map((x) => [x.extension, x]));
      expect(m["101"]).toMatchObject({ rung: 4, answered: 1, missed: 1, placed: 1, userId: 1 });
      expect(m["102"]).toMatchObject({ rung: 3, answered: 2, missed: 1, placed: 0, userId: 2 });
      expect(m["103"]).toMatchObject({ rung: 2, answered: 0, missed: 1 });

      const csv = await fetch(`${base}/api/figures.csv?table=managers&${period}`);
      expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
      expect(csv.headers.get("content-disposition")).toMatch(/attachment; filename="figures-managers-/);
      const rows = (await csv.text()).trim().split("\r\n");
      expect(rows[0]).toBe("extension,crm_user_id,crm_user,rung,answered,missed,placed,talk_s");
      expect(rows).toHaveLength(1 + f.managers.length);

      const bad = await fetch(`${base}/api/figures?period=month`);
      expect(bad.status).toBe(400);
      expect(await bad.json()).toEqual({ error: "bad_query", message: 'period: expected today, 7d or custom, got "month"', parameter: "period" });

      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain('ab24_queue_calls_total{outcome="answered",queue="sales"} 1');
      expect(metrics).toContain('ab24_queue_calls_total{outcome="abandoned",queue="sales"} 1');
      expect(metrics).toContain('ab24_manager_calls_total{extension="101",kind="missed"} 1');
      expect(metrics).toContain("ab24_calls_missed_by_all_total 1");
    } finally {
      await stack.close();
    }
  }, 240_000);
});
