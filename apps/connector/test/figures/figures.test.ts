/**
 * Queue and manager figures on the real Asterisk 22 recordings (packages/testkit/fixtures/asterisk):
 * the tracker's call_ended snapshot → per-call figures → sums per queue and manager.
 */
import { describe, expect, it } from "vitest";
import { recordingNames } from "@asterisk-b24/testkit";
import { aggregate, bucketStart, bucketStarts, callFigures, figuresCsv, FiguresQueryError, resolvePeriod, type CallFigures } from "../../src/figures/index.js";
import { onlyCall, replayRecording } from "../tracker/replay.js";

const figuresOf = (name: string): CallFigures => callFigures(onlyCall(replayRecording(name, undefined, true)));
const all = (): CallFigures[] => recordingNames().flatMap((n) => [...replayRecording(n, undefined, true).ended.values()].map(callFigures));
const sum = (calls: CallFigures[], serviceLevelSec = 20, zone = "UTC") =>
  aggregate(calls, {
    fromMs: Math.min(...calls.map((c) => c.startedAt)),
    toMs: Math.max(...calls.map((c) => c.endedAt)),
    serviceLevelSec,
    bucketStart: (ms, b) => bucketStart(ms, b, zone),
    bucketStarts: (f, t, b) => bucketStarts(f, t, b, zone),
  });

describe("one call's figures (real recordings)", () => {
  it("queue sales, ringall, 102 answers after 5 s: answered in the queue, 101/103 rang but did not miss it", () => {
    const f = figuresOf("02_inbound_queue_sales_102_answers");
    expect(f).toMatchObject({ direction: "inbound", answered: true, missedByAll: false, ivr: false });
    expect(f.queues).toEqual([{ queue: "sales", joinedAt: expect.any(Number), outcome: "answered", waitSec: 5, answeredBy: "102", talkSec: 12 }]);
    expect(f.agents.map((a) => [a.ext, a.rung, a.answered, a.missed, a.talkSec])).toEqual([
      ["101", true, false, false, 0],
      ["102", true, true, false, 12],
      ["103", true, false, false, 0],
    ]);
  });

  it("queue sales, nobody answers, the caller abandons after about 25 s: two rounds of ring-no-answer, missed by all", () => {
    const f = figuresOf("03_inbound_queue_missed");
    expect(f).toMatchObject({ direction: "inbound", answered: false, missedByAll: true, ivr: false });
    expect(f.queues).toHaveLength(1);
    expect(f.queues[0]).toMatchObject({ queue: "sales", outcome: "abandoned", answeredBy: "", talkSec: 0 });
    // QueueCallerAbandon says HoldTime 25
    expect(Math.round(f.queues[0]!.waitSec)).toBe(25);
    expect(f.agents.map((a) => [a.ext, a.rung, a.answered, a.missed])).toEqual([
      ["101", true, false, true],
      ["102", true, false, true],
      ["103", true, false, true],
    ]);
  });

  it("ring group 650 (no queue): 102 answers, 101 only rang; no queue leg", () => {
    const f = figuresOf("17a_inbound_ringgroup_102_answers");
    expect(f.queues).toEqual([]);
    expect(f.agents.map((a) => [a.ext, a.rung, a.answered, a.missed])).toEqual([
      ["101", true, false, false],
      ["102", true, true, false],
    ]);
  });

  it("outbound and click-to-call calls count as placed by the manager, with their talk", () => {
    expect(figuresOf("06_outbound_answered").agents).toEqual([{ ext: "101", rung: false, answered: false, missed: false, placed: true, talkSec: 12 }]);
    expect(figuresOf("12_click2call_answered").agents[0]).toMatchObject({ ext: "101", placed: true, rung: false });
  });

  it("without QueueCaller* events (a call rebuilt from CEL) the agents' legs give the queue leg from the first ring", () => {
    const call = onlyCall(replayRecording("03_inbound_queue_missed", undefined, true));
    const f = callFigures({ ...call, queue_visits: [] });
    expect(f.queues).toHaveLength(1);
    expect(f.queues[0]).toMatchObject({ queue: "sales", outcome: "abandoned" });
    const answered = callFigures({ ...onlyCall(replayRecording("02_inbound_queue_sales_102_answers", undefined, true)), queue_visits: [] });
    expect(answered.queues[0]).toMatchObject({ queue: "sales", outcome: "answered", answeredBy: "102", waitSec: 5 });
  });
});

describe("figures of every recording summed", () => {
  const calls = all();

  it("add up: inbound = answered + missed by all + ended in the IVR; offered = answered + abandoned + other", () => {
    const f = sum(calls);
    expect(f.totals.calls).toBe(calls.length);
    expect(f.totals.inbound + f.totals.outbound + f.totals.internal).toBe(f.totals.calls);
    expect(f.totals.answeredInbound + f.totals.missedByAll + f.totals.ivr).toBe(f.totals.inbound);
    for (const q of f.queues) expect(q.answered + q.abandoned + q.other).toBe(q.offered);
    const series = f.series.reduce((n, b) => n + b.inbound, 0);
    expect(series).toBe(f.totals.inbound);
    expect(f.queues).toEqual([
      {
        queue: "sales",
        offered: 2,
        answered: 1,
        abandoned: 1,
        other: 0,
        answeredWithin: 1,
        serviceLevel: 0.5,
        avgWaitSec: 5,
        p90WaitSec: 5,
        avgAbandonWaitSec: f.queues[0]!.maxAbandonWaitSec,
        maxAbandonWaitSec: expect.closeTo(24.5, 0), // HoldTime 25 (whole seconds)
        avgTalkSec: 12,
      },
    ]);
    expect(f.missedByAll.map((m) => [m.queues, m.rang])).toEqual([[["sales"], ["101", "102", "103"]]]);
  });

  it("managers: every rung call is answered, missed, or was taken by someone else", () => {
    const f = sum(calls);
    const m101 = f.managers.find((m) => m.extension === "101")!;
    // 101: rang in 01, 02, 03, 09, 15, 17a; answered 01, 09, 15; missed 03; placed 06, 07, 08, 12, 14, 17c, 17d
    expect(m101).toMatchObject({ rung: 6, answered: 3, missed: 1, placed: 7 });
    for (const m of f.managers) expect(m.answered + m.missed).toBeLessThanOrEqual(m.rung);
    const talk = calls.flatMap((c) => c.agents).reduce((n, a) => n + a.talkSec, 0);
    expect(f.managers.reduce((n, m) => n + m.talkSec, 0)).toBe(talk);
  });

  it("the service level follows the configured N", () => {
    expect(sum(calls, 5).queues[0]!.answeredWithin).toBe(1);
    expect(sum(calls, 4).queues[0]).toMatchObject({ answeredWithin: 0, serviceLevel: 0 });
  });

  it("CSV: one row per queue / manager / missed call, spreadsheet-safe", () => {
    const f = sum(calls);
    const queues = figuresCsv(f, "queues").split("\r\n");
    expect(queues[0]).toBe("queue,offered,answered,abandoned,other,answered_within_20s,service_level,avg_wait_s,p90_wait_s,avg_abandon_wait_s,max_abandon_wait_s,avg_talk_s");
    expect(queues[1]!.startsWith("sales,2,1,1,0,1,0.5,5,5,")).toBe(true);
    const managers = figuresCsv({ ...f, managers: f.managers.map((m) => (m.extension === "101" ? { ...m, userId: 1, userName: '=cmd "x"' } : m)) }, "managers");
    expect(managers).toContain(`101,1,"'=cmd ""x""",6,3,1,7,`);
    expect(figuresCsv(f, "missed").split("\r\n")).toHaveLength(3);
  });
});

describe("periods in the configured time zone", () => {
  const now = Date.parse("2026-12-05T21:30:00Z"); // 00:30 on 6 December in Moscow (+03:00)

  it("today starts at local midnight; 7d at local midnight six days before", () => {
    expect(resolvePeriod({}, "Europe/Moscow", now)).toEqual({ fromMs: Date.parse("2026-12-05T21:00:00Z"), toMs: now, kind: "today" });
    expect(resolvePeriod({ period: "today" }, "UTC", now).fromMs).toBe(Date.parse("2026-12-05T00:00:00Z"));
    expect(resolvePeriod({ period: "7d" }, "Europe/Moscow", now).fromMs).toBe(Date.parse("2026-11-29T21:00:00Z"));
  });

  it("custom: local dates, both included; or instants with an offset", () => {
    expect(resolvePeriod({ from: "2026-12-01", to: "2026-12-02" }, "Europe/Moscow", now)).toEqual({
      fromMs: Date.parse("2026-11-30T21:00:00Z"),
      toMs: Date.parse("2026-12-02T21:00:00Z") - 1,
      kind: "custom",
    });
    expect(resolvePeriod({ from: "2026-12-01T10:00:00Z", to: "2026-12-01T14:00:00+03:00" }, "UTC", now)).toMatchObject({
      fromMs: Date.parse("2026-12-01T10:00:00Z"),
      toMs: Date.parse("2026-12-01T11:00:00Z"),
    });
  });

  it("bad periods name their parameter", () => {
    const bad = (q: Record<string, unknown>) => {
      try {
        resolvePeriod(q, "UTC", Date.parse("2027-01-01T00:00:00Z"));
      } catch (err) {
        return err instanceof FiguresQueryError ? err.parameter : "other";
      }
      return "none";
    };
    expect(bad({ period: "month" })).toBe("period");
    expect(bad({ period: "custom" })).toBe("from");
    expect(bad({ from: "2026-02-30" })).toBe("from");
    expect(bad({ from: "yesterday" })).toBe("from");
    expect(bad({ from: "2026-12-02", to: "2026-12-01" })).toBe("to");
    expect(bad({ from: ["2026-12-01", "2026-12-02"] })).toBe("from");
  });

  it("hour buckets follow the zone's local hours, day buckets its local days (DST included)", () => {
    const from = Date.parse("2026-03-28T12:00:00Z");
    const days = bucketStarts(from, Date.parse("2026-03-31T12:00:00Z"), "day", "Europe/Berlin");
    expect(days.map((d) => new Date(d).toISOString())).toEqual(["2026-03-27T23:00:00.000Z", "2026-03-28T23:00:00.000Z", "2026-03-29T22:00:00.000Z", "2026-03-30T22:00:00.000Z"]);
    const hours = bucketStarts(Date.parse("2026-12-05T10:10:00Z"), Date.parse("2026-12-05T12:00:00Z"), "hour", "Asia/Kolkata");
    expect(hours.map((d) => new Date(d).toISOString())).toEqual(["2026-12-05T09:30:00.000Z", "2026-12-05T10:30:00.000Z", "2026-12-05T11:30:00.000Z"]);
  });
});
