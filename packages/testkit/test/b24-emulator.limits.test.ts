import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { restCall, startB24Emulator, type B24Emulator } from "../src/b24-emulator/index.js";

const users = [{ ID: 1, NAME: "Anna", UF_PHONE_INNER: "101" }];

describe("b24 emulator: leaky bucket per portal + source IP", () => {
  let t = Date.UTC(2026, 2, 7, 7, 20, 30);
  let emu: B24Emulator;
  beforeAll(async () => {
    emu = await startB24Emulator({ webhook: { userId: 1, code: "l" }, users, now: () => t }); // default 50 / 2
  });
  afterAll(() => emu.close());
  beforeEach(() => {
    emu.reset();
    t += 3600_000;
  });

  const burst = async (n: number, localAddress?: string) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      out.push((await restCall(emu.webhookUrl, "user.get", {}, localAddress ? { localAddress } : {})).status);
    }
    return out;
  };

  it("lets 50 through, then 503 QUERY_LIMIT_EXCEEDED; drains 2 per second", async () => {
    const first = await burst(55);
    expect(first.filter((s) => s === 200)).toHaveLength(50);
    expect(first.slice(50)).toEqual([503, 503, 503, 503, 503]);
    const limited = await restCall(emu.webhookUrl, "user.get", {});
    expect(limited.body).toEqual({ error: "QUERY_LIMIT_EXCEEDED", error_description: "Too many requests" });
    expect(emu.stats().limitErrors).toBe(6);
    t += 1000; // 2 units drained
    expect(await burst(3)).toEqual([200, 200, 503]);
    t += 10_000; // 20 units
    expect((await burst(21)).filter((s) => s === 200)).toHaveLength(20);
  });

  it("keeps a separate bucket per source IP", async () => {
    expect((await burst(51)).filter((s) => s === 503)).toHaveLength(1);
    const other = await burst(50, "127.0.0.2");
    expect(other.every((s) => s === 200)).toBe(true);
    expect(new Set(emu.requests().map((r) => r.sourceIp))).toEqual(new Set(["127.0.0.1", "127.0.0.2"]));
  });

  it("counts unknown methods and bad credentials too (the bucket sits in front)", async () => {
    emu.setLimits({ burst: 2, drainPerSec: 1 });
    expect((await restCall(emu.webhookUrl, "no.such", {})).status).toBe(404);
    expect((await restCall(`${emu.url}/rest/1/bad/`, "user.get", {})).status).toBe(401);
    expect((await restCall(emu.webhookUrl, "user.get", {})).status).toBe(503);
    emu.setLimits(false);
    expect((await burst(60)).every((s) => s === 200)).toBe(true);
    emu.setLimits({ burst: 50, drainPerSec: 2 });
  });
});

describe("b24 emulator: operating-time limit", () => {
  let t = Date.UTC(2026, 2, 7, 7, 20, 30);
  let emu: B24Emulator;
  beforeAll(async () => {
    emu = await startB24Emulator({
      webhook: { userId: 1, code: "o" },
      oauth: { clientId: "app", clientSecret: "s" },
      users,
      limits: false,
      operatingLimit: { limitSec: 10, windowSec: 600, costSec: 4 },
      now: () => t,
    });
  });
  afterAll(() => emu.close());
  beforeEach(() => {
    emu.reset();
    t += 3600_000;
  });

  it("lets the crossing call complete, then 429 for that method and credential only, until the window passes", async () => {
    const ops: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await restCall(emu.webhookUrl, "user.get", {});
      expect(r.status).toBe(200);
      ops.push(r.body.time.operating);
      expect(r.body.time.operating_reset_at).toBe(Math.floor(t / 1000) + 600);
    }
    expect(ops).toEqual([4, 8, 12]);
    const blocked = await restCall(emu.webhookUrl, "user.get", {});
    expect(blocked.status).toBe(429);
    expect(blocked.body).toEqual({ error: "OPERATION_TIME_LIMIT", error_description: "Method is blocked due to operation time limit." });
    // another method, another credential: fine
    expect((await restCall(emu.webhookUrl, "user.current", {})).status).toBe(200);
    const tk = emu.issueOAuthTokens();
    expect((await restCall(emu.restUrl, "user.get", { auth: tk.access_token })).status).toBe(200);
    expect(emu.stats().operatingErrors).toBe(1);
    t += 600_000;
    const again = await restCall(emu.webhookUrl, "user.get", {});
    expect(again.status).toBe(200);
    expect(again.body.time.operating).toBe(4);
  });

  it("charges a batch to method `batch` by default: inner calls are not checked and show the batch figure", async () => {
    for (let i = 0; i < 3; i++) await restCall(emu.webhookUrl, "user.get", {});
    expect((await restCall(emu.webhookUrl, "user.get", {})).status).toBe(429);
    const b = await restCall(emu.webhookUrl, "batch", { cmd: { a: "user.get", b: "user.get" } });
    expect(b.status).toBe(200);
    expect(Object.keys(b.body.result.result)).toEqual(["a", "b"]);
    expect(b.body.result.result_time.a.operating).toBe(0);
    expect(b.body.time.operating).toBe(4);
    const b2 = await restCall(emu.webhookUrl, "batch", { cmd: { a: "user.get" } });
    expect(b2.body.result.result_time.a.operating).toBe(4);
  });

  it("checks each sub-call per method with batchAccounting 'inner' (docs variant)", async () => {
    emu.setOperatingLimit({ limitSec: 10, windowSec: 600, costSec: 4, batchAccounting: "inner" });
    const b = await restCall(emu.webhookUrl, "batch", { cmd: ["user.get", "user.get", "user.get", "user.get", "user.current"] });
    expect(Object.keys(b.body.result.result)).toEqual(["0", "1", "2", "4"]);
    expect(b.body.result.result_error["3"]).toEqual({ error: "OPERATION_TIME_LIMIT", error_description: "Method is blocked due to operation time limit." });
    expect(b.body.result.result_time["2"].operating).toBe(12);
    expect(emu.stats().operatingErrors).toBe(1);
    emu.setOperatingLimit({ limitSec: 10, windowSec: 600, costSec: 4 });
  });
});

describe("b24 emulator: fault injection", () => {
  let t = Date.UTC(2026, 2, 7, 7, 20, 30);
  let emu: B24Emulator;
  beforeAll(async () => {
    emu = await startB24Emulator({ webhook: { userId: 1, code: "f" }, users, limits: false, now: () => t });
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.reset());

  it("answers a share of requests with a gateway 503 page or a 500", async () => {
    emu.setFaults({ share503: 1 });
    const r = await restCall(emu.webhookUrl, "user.get", {});
    expect(r.status).toBe(503);
    expect(r.body).toBeUndefined();
    expect(r.text).toContain("503 Service Temporarily Unavailable");
    emu.setFaults({ share500: 1 });
    const e = await restCall(emu.webhookUrl, "user.get", {});
    expect(e.status).toBe(500);
    expect(e.body).toEqual({ error: "INTERNAL_SERVER_ERROR", error_description: "Internal server error" });
    emu.setFaults({ share503: 0.5, seed: 7 });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await restCall(emu.webhookUrl, "user.get", {})).status);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(5);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(5);
    expect(emu.stats().faults.s503).toBe(1 + statuses.filter((s) => s === 503).length);
  });

  it("resets connections and hangs requests", async () => {
    emu.setFaults({ shareReset: 1 });
    await expect(restCall(emu.webhookUrl, "user.get", {})).rejects.toThrow(/ECONNRESET|socket hang up/);
    emu.setFaults({ shareHang: 1 });
    await expect(restCall(emu.webhookUrl, "user.get", {}, { timeoutMs: 300 })).rejects.toThrow(/timeout/);
    const st = emu.stats().faults;
    expect(st.reset).toBe(1);
    expect(st.hang).toBe(1);
    expect(emu.requests().map((r) => r.status)).toEqual(["reset", "hang"]);
  });

  it("faults AFTER the portal ran the request: the state changed, the answer is a 503 page, lost or reset", async () => {
    const reg = (n: number) => ({ USER_ID: 1, PHONE_NUMBER: `+7900000000${n}`, TYPE: 2, EXTERNAL_CALL_ID: `after-${n}`, SHOW: 0 });
    emu.setFaults({ share503After: 1 });
    const page = await restCall(emu.webhookUrl, "telephony.externalcall.register", reg(1));
    expect(page.status).toBe(503);
    expect(page.body).toBeUndefined(); // no Bitrix24 error body: the client cannot tell whether it ran
    emu.setFaults({ shareResetAfter: 1 });
    await expect(restCall(emu.webhookUrl, "telephony.externalcall.register", reg(2))).rejects.toThrow(/ECONNRESET|socket hang up/);
    emu.setFaults({ shareHangAfter: 1 });
    await expect(restCall(emu.webhookUrl, "telephony.externalcall.register", reg(3), { timeoutMs: 300 })).rejects.toThrow(/timeout/);
    emu.setFaults({});
    expect(emu.calls().map((c) => c.EXTERNAL_CALL_ID)).toEqual(["after-1", "after-2", "after-3"]); // all three ran
    expect(emu.stats().faults).toMatchObject({ s503After: 1, resetAfter: 1, hangAfter: 1, s503: 0, reset: 0, hang: 0 });
    expect(emu.requests().map((r) => [r.status, r.fault])).toEqual([
      [503, "503-after"],
      ["reset", "reset-after"],
      ["hang", "hang-after"],
    ]);
  });

  it("per-method shares: a batch carrying a listed method gets its shares, other requests the defaults", async () => {
    emu.setFaults({ methods: { "telephony.externalcall.finish": { share503After: 1 } } });
    expect((await restCall(emu.webhookUrl, "user.get", {})).status).toBe(200);
    expect((await restCall(emu.webhookUrl, "batch", { halt: 0, cmd: { u: "user.get?ID=1" } })).status).toBe(200);
    const batch = await restCall(emu.webhookUrl, "batch", { halt: 0, cmd: { u: "user.get?ID=1", f: "telephony.externalcall.finish?CALL_ID=x&USER_ID=1" } });
    expect(batch.status).toBe(503);
    expect(emu.stats().faults.s503After).toBe(1);
  });

  it("the same seed gives the same faults for the same sequence of requests (random latency on its own dice)", async () => {
    const run = async () => {
      emu.reset();
      emu.setFaults({ share503: 0.2, share503After: 0.2, latencyMs: 0, latencyMaxMs: 4, seed: 42 });
      const out: number[] = [];
      for (let i = 0; i < 30; i++) out.push((await restCall(emu.webhookUrl, "user.get", {})).status);
      return { out, faults: emu.requests().map((r) => r.fault ?? "") };
    };
    const a = await run();
    const b = await run();
    expect(b).toEqual(a);
    expect(a.faults.filter((f) => f === "503-after").length).toBeGreaterThan(0);
    expect(a.faults.filter((f) => f === "503").length).toBeGreaterThan(0);
    expect(a.out.filter((s) => s === 200).length).toBeGreaterThan(0);
  });

  it("counts latency injections (no timing asserted)", async () => {
    emu.setFaults({ latencyMs: 5 });
    expect((await restCall(emu.webhookUrl, "user.get", {})).status).toBe(200);
    expect(emu.stats().faults.latency).toBe(1);
  });

  it("runs a full outage window, then recovers", async () => {
    emu.setFaults({ outageMs: 30_000 });
    expect((await restCall(emu.webhookUrl, "user.get", {})).status).toBe(503);
    t += 29_000;
    expect((await restCall(emu.webhookUrl, "telephony.externalcall.show", { CALL_ID: "x" })).status).toBe(503);
    t += 2_000;
    expect((await restCall(emu.webhookUrl, "user.get", {})).status).toBe(200);
    emu.setFaults({ outageMs: 10_000, outageMode: "reset" });
    await expect(restCall(emu.webhookUrl, "user.get", {})).rejects.toThrow();
    t += 10_000;
    expect((await restCall(emu.webhookUrl, "user.get", {})).status).toBe(200);
    expect(emu.stats().faults.outage).toBe(3);
    // the inspection API is never faulted
    emu.setFaults({ share503: 1 });
    expect((await fetch(`${emu.url}/_emulator/stats`)).status).toBe(200);
  });

  it("is driven over HTTP too: POST /_emulator/faults, /limits, /reset", async () => {
    const post = (p: string, body: unknown) => fetch(`${emu.url}/_emulator/${p}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect((await post("faults", { share500: 1 })).status).toBe(200);
    expect((await restCall(emu.webhookUrl, "user.get", {})).status).toBe(500);
    await post("faults", {});
    await post("limits", { burst: 1, drainPerSec: 1 });
    expect((await restCall(emu.webhookUrl, "user.get", {})).status).toBe(200);
    expect((await restCall(emu.webhookUrl, "user.get", {})).status).toBe(503);
    await post("limits", false);
    expect((await restCall(emu.webhookUrl, "user.get", {})).status).toBe(200);
    const stats = (await (await fetch(`${emu.url}/_emulator/stats`)).json()) as { requests: number; limitErrors: number };
    expect(stats).toMatchObject({ requests: 4, limitErrors: 1 });
    await post("reset", {});
    expect(((await (await fetch(`${emu.url}/_emulator/requests`)).json()) as unknown[]).length).toBe(0);
  });
});
