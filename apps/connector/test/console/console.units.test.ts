import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { Journal, type CallSummary, type ErrorBucket, type JournalEntry } from "../../src/journal/index.js";
import { createExtensionMap } from "../../src/directory/extension-map.js";
import type { CachedUser } from "../../src/directory/users-cache.js";
import { callsSearch, CallsQueryError, managerIds } from "../../src/console/calls-query.js";
import { callsPerHour, dailyBuckets, errorRate, RateSampler } from "../../src/console/figures.js";
import { checkConfig, maskSecrets, restoreMasked } from "../../src/console/settings.js";
import { buildTimeline } from "../../src/console/timeline.js";
import { extensionsInJournal, usersExtensions } from "../../src/console/users-extensions.js";

const H = 3600_000;
const NOW = Date.UTC(2026, 11, 2, 14, 30);
const call = (over: Partial<CallSummary>): CallSummary => ({ callKey: "k", status: "delivered", firstSeenAt: NOW, updatedAt: NOW, ...over });
const users: CachedUser[] = [
  { id: 1, name: "Ivan Petrov", innerPhone: "101", phones: { UF_PHONE_INNER: "101" } },
  { id: 2, name: "Maria Ivanova", innerPhone: "102", phones: { UF_PHONE_INNER: "102" } },
  { id: 7, name: "Nina Orlova", phones: {} },
];

describe("console: figures", () => {
  it("counts calls per hour: STATUS_CODE 200 answered, other codes missed, unfinished apart", () => {
    const rows = callsPerHour(
      [
        call({ statusCode: "200", firstSeenAt: NOW - 10 }),
        call({ statusCode: "304", firstSeenAt: NOW - H }),
        call({ status: "failed", firstSeenAt: NOW - H }),
        call({ status: "in_progress", firstSeenAt: NOW }),
        call({ statusCode: "200", firstSeenAt: NOW - 30 * H }), // outside the window
      ],
      24,
      NOW,
    );
    expect(rows).toHaveLength(24);
    expect(rows.at(-1)).toEqual({ start: Date.UTC(2026, 11, 2, 14), answered: 1, missed: 0, other: 1 });
    expect(rows.at(-2)).toMatchObject({ answered: 0, missed: 1, other: 1 });
    expect(rows.reduce((n, r) => n + r.answered + r.missed + r.other, 0)).toBe(4);
  });

  it("sums hourly error buckets into days and rates failures among finished calls", () => {
    const day = Date.UTC(2026, 11, 2);
    const hourly: ErrorBucket[] = [
      { start: day - H, total: 2, byType: { A: 2 } },
      { start: day, total: 3, byType: { A: 1, B: 2 } },
      { start: day + H, total: 1, byType: { B: 1 } },
    ];
    expect(dailyBuckets(hourly)).toEqual([
      { start: day - 24 * H, total: 2, byType: { A: 2 } },
      { start: day, total: 4, byType: { A: 1, B: 3 } },
    ]);
    const rate = errorRate([call({ status: "failed" }), call({}), call({}), call({ status: "in_progress" }), call({ status: "failed", firstSeenAt: NOW - 2 * H })], hourly, NOW);
    expect(rate).toMatchObject({ finished: 3, failed: 1, errors: 4 });
    expect(rate.rate).toBeCloseTo(1 / 3);
  });

  it("turns the queue's completed count into batches per minute, never negative", () => {
    const s = new RateSampler(60_000);
    expect(s.add(0, 100)).toBe(0);
    expect(s.add(30_000, 130)).toBe(60);
    expect(s.add(60_000, 160)).toBe(60);
    expect(s.add(90_000, 10)).toBe(0); // old batches removed from the queue
  });
});

describe("console: calls search", () => {
  const map = createExtensionMap({ rules: [{ kind: "strip-prefix", prefix: "77" }] });
  it("resolves a manager given as user ID, PBX extension (through the map) or part of a name", () => {
    expect(managerIds("2", users, map)).toEqual(["2"]);
    expect(managerIds("77101", users, map)).toEqual(["1"]);
    expect(managerIds("ivan", users, map).sort()).toEqual(["1", "2"]);
    expect(managerIds("nobody", users, map)).toEqual([]);
  });

  it("reads number, status list, period and limit; refuses a wrong status or time", () => {
    expect(callsSearch({ number: "+7 916", status: "failed,skipped", from: "2026-12-02T10:00:00Z", to: "1796000000000", limit: "1000" }, users, map)).toEqual({
      number: "+7 916",
      statuses: ["failed", "skipped"],
      fromMs: Date.UTC(2026, 11, 2, 10),
      toMs: 1796000000000,
      limit: 1000,
    });
    expect(() => callsSearch({ status: "lost" }, users, map)).toThrow(CallsQueryError);
    expect(() => callsSearch({ from: "yesterday-ish" }, users, map)).toThrow(/from must be a time/);
    expect(() => callsSearch({ limit: "abc" }, users, map)).toThrow(/limit must be an integer from 1 to 10000/);
  });
});

describe("console: settings", () => {
  const config = checkConfig(
    {
      ami: { username: "crm", secret: "ami-secret-value" },
      b24: { auth: { mode: "webhook", webhookUrl: "https://portal.example/rest/1/abcdef123/" } },
      redis: { url: "redis://:redis-pass@10.0.0.5:6379" },
      http: { auth: { user: "admin", password: "password-123" } },
    },
    {},
  );

  it("masks secrets but keeps where URLs point", () => {
    expect(config.ok).toBe(true);
    const text = JSON.stringify(maskSecrets(config.config));
    for (const secret of ["ami-secret-value", "abcdef123", "redis-pass", "password-123"]) expect(text).not.toContain(secret);
    const masked = maskSecrets(config.config) as { b24: { auth: { webhookUrl: string } }; ami: { username: string } };
    expect(masked.b24.auth.webhookUrl).toBe("https://portal.example/••••••");
    expect(masked.ami.username).toBe("crm");
  });

  it("reports each wrong key by its path; a masked copy sent back keeps the real secrets", () => {
    const edited = maskSecrets(config.config) as Record<string, Record<string, unknown>>;
    expect(checkConfig(restoreMasked(edited, config.config), {}).ok).toBe(true);
    edited.b24!.lanes = "four";
    edited.ami!.prot = 1;
    const check = checkConfig(restoreMasked(edited, config.config), {});
    expect(check.ok).toBe(false);
    expect(check.issues).toEqual([
      { path: "ami", message: 'unknown key(s) "prot"' },
      { path: "b24.lanes", message: expect.stringMatching(/expected number, received string/) },
    ]);
    expect(checkConfig("{ not json", {}).issues[0]!.message).toMatch(/^not valid JSON/);
  });
});

describe("console: timeline and users ↔ extensions", () => {
  const entries: JournalEntry[] = [
    { at: 1, kind: "stage", stage: "conversation_requested", text: "c.1" },
    { at: 2, kind: "request", method: "telephony.externalcall.register", params: {} },
    { at: 3, kind: "result", method: "telephony.externalcall.register", result: {} },
    { at: 4, kind: "stage", stage: "conversation_requested", text: "c.2" },
    { at: 5, kind: "note", text: "extension 105 has no Bitrix24 user (UF_PHONE_INNER 105)" },
    { at: 6, kind: "stage", stage: "call_ended" },
    { at: 7, kind: "error", method: "attachRecord", error: { type: "RecordingNotFoundError", message: "no file" } },
  ];
  const stages = [
    { stage: "conversation_requested", at: 100, conversationId: "c.1", call: { conversations: { "c.1": { extension: "101", role: "callee" } } } },
    { stage: "conversation_requested", at: 101, conversationId: "c.2", call: { conversations: { "c.2": { extension: "105", role: "callee" } } } },
    { stage: "call_ended", at: 102, call: { result: 200, conversations: {} } },
    { stage: "conversation_ended", at: 103, conversationId: "c.1", call: { conversations: { "c.1": { extension: "101", end_reason: "completed", talk_seconds: 12 } } } },
  ];

  it("puts each stage from AMI before what the pipeline did for it, then stages not handled yet", () => {
    const t = buildTimeline(call({ callKey: "x", reason: "r" }), entries, stages);
    expect(t.steps.map((s) => [s.stage?.name, s.stage?.extension, s.entries.map((e) => e.kind)])).toEqual([
      ["conversation_requested", "101", ["request", "result"]],
      ["conversation_requested", "105", ["note"]],
      ["call_ended", undefined, ["error"]],
      ["conversation_ended", "101", []],
    ]);
    expect(t.steps[2]!.stage?.result).toBe(200);
    expect(t.steps[3]!.stage).toMatchObject({ endReason: "completed", talkSeconds: 12 });
    expect(t.outcome).toEqual({ status: "delivered", reason: "r" });
  });

  it("keeps the connector's order when the PBX clock is two minutes ahead, with each stage's PBX time and connector time", () => {
    // PBX times two minutes after the connector's: the requests (at 2, 3 on the connector) come
    // after the stage they were caused by, whatever the PBX clock says.
    const skew = 120_000;
    const pbxStages = stages.map((s) => ({ ...s, at: s.at + skew }));
    const t = buildTimeline(call({ callKey: "x" }), entries, pbxStages, skew);
    expect(t.steps.map((s) => s.stage?.name)).toEqual(["conversation_requested", "conversation_requested", "call_ended", "conversation_ended"]);
    expect(t.steps[0]!.stage).toMatchObject({ at: 100 + skew, localAt: 100 });
    expect(t.clock).toEqual({ pbxSkewMs: skew, large: true });
    expect(buildTimeline(call({ callKey: "x" }), entries, stages, -4_000).clock).toEqual({ pbxSkewMs: -4_000, large: false });
    const unknown = buildTimeline(call({ callKey: "x" }), entries, stages);
    expect(unknown.clock).toEqual({ pbxSkewMs: null, large: false });
    expect(unknown.steps[0]!.stage?.localAt).toBeUndefined();
  });

  it("lists users without an internal number and extensions that map to nobody", () => {
    const map = createExtensionMap({ explicit: { "7102": "102" } });
    const seen = extensionsInJournal(entries, stages);
    expect(seen.sort()).toEqual(["101", "105"]);
    const t = usersExtensions(users, map, { live: ["7102"], journal: seen });
    expect(t.usersWithoutExtension.map((u) => u.id)).toEqual([7]);
    expect(t.unmappedExtensions).toEqual([{ extension: "105", mapsTo: "105", seenIn: ["journal"] }]);
    expect(t.extensions.find((e) => e.extension === "7102")).toMatchObject({ mapsTo: "102", userId: 2 });
    expect(t.users.map((u) => [u.id, u.pbxExtension, u.seen, u.reachable])).toEqual([
      [1, "101", true, true],
      [2, "7102", true, true],
      [7, "", false, false],
    ]);
  });
});

const redisUp = await requireService("redis");
describe.runIf(redisUp)("journal search and error buckets (real Redis)", () => {
  const redis = redisUp ? new Redis(SERVICES.redis.url) : (undefined as never);
  afterAll(() => redis?.disconnect());

  it("filters by number digits, statuses and responsible within the period", async () => {
    const j = new Journal(redis, uniquePrefix("console-journal"));
    await j.update("a", { status: "delivered", clientNumber: "79161234567", responsibleUserId: "1" }, 1000);
    await j.update("b", { status: "failed", clientNumber: "74990000000", lineNumber: "74951234567", responsibleUserId: "2" }, 2000);
    await j.update("c", { status: "skipped", clientNumber: "79161234567" }, 3000);
    const keys = async (s: Parameters<Journal["list"]>[0]) => (await j.list(s)).map((c) => c.callKey);
    expect(await keys({ number: "+7 (916) 123" })).toEqual(["c", "a"]);
    expect(await keys({ number: "4951234" })).toEqual(["b"]);
    expect(await keys({ statuses: ["failed", "skipped"] })).toEqual(["c", "b"]);
    expect(await keys({ responsibleUserIds: ["1", "2"] })).toEqual(["b", "a"]);
    expect(await keys({ responsibleUserIds: [] })).toEqual([]);
    expect(await keys({ fromMs: 1500, toMs: 2500 })).toEqual(["b"]);
    expect(await keys({ number: "916", limit: 1 })).toEqual(["c"]);
  });

  it("gives error counts per hour, oldest first, including empty hours", async () => {
    const j = new Journal(redis, uniquePrefix("console-journal"));
    const now = Date.now();
    await j.record("a", { kind: "error", error: { type: "B24BusinessError", message: "x" }, at: now });
    await j.record("b", { kind: "error", error: { type: "B24BusinessError", message: "x" }, at: now });
    await j.record("b", { kind: "error", error: { type: "HookTimeoutError", message: "x" }, at: now - 2 * H });
    const buckets = await j.errorBuckets(3, now);
    expect(buckets.map((b) => [b.total, b.byType])).toEqual([
      [1, { HookTimeoutError: 1 }],
      [0, {}],
      [2, { B24BusinessError: 2 }],
    ]);
    expect(buckets[2]!.start).toBe(Math.floor(now / H) * H);
  });
});
