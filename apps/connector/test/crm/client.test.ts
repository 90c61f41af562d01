/**
 * B24Client against the Bitrix24 emulator and the real Redis: batches of 50 with references,
 * business errors, OAuth single refresh, a custom auth mode, adaptive back-off, lossy network.
 */
import { afterAll, describe, expect, it } from "vitest";
import { startB24Emulator } from "@asterisk-b24/testkit";
import { clientGateway, fetchUploader } from "../../src/crm/gateway.js";
import { B24AuthError, B24BusinessError, B24Client, oauthAuth, webhookAuth, type B24AuthMode, type B24ClientOptions, type PreparedAuth } from "../../src/crm/index.js";
import { dropPrefix, newRedis, redisOrSkip, uniquePrefix } from "./helpers.js";

const up = await redisOrSkip();
const USERS = [
  { ID: 1, NAME: "Anna", UF_PHONE_INNER: "101", ACTIVE: true },
  { ID: 2, NAME: "Boris", UF_PHONE_INNER: "102", ACTIVE: true },
];
const prefixes: string[] = [];
const cleanup: Array<() => Promise<unknown>> = [];

afterAll(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => {});
  if (!up) return;
  const r = newRedis();
  for (const p of prefixes) await dropPrefix(r, p);
  r.disconnect();
});

async function setup(emuOpts: Parameters<typeof startB24Emulator>[0], clientOpts: Partial<B24ClientOptions> = {}) {
  const emu = await startB24Emulator({ webhook: { userId: 1, code: "secret" }, users: USERS, ...emuOpts });
  const prefix = uniquePrefix("crm-client");
  prefixes.push(prefix);
  const client = new B24Client({ portal: "p", prefix, auth: webhookAuth(emu.webhookUrl), retry: { baseDelayMs: 100, maxDelayMs: 1000 }, ...clientOpts });
  cleanup.push(
    () => emu.close(),
    () => client.close(),
  );
  return { emu, client, prefix };
}

const register = (i: number, extra: Record<string, unknown> = {}) => ({
  USER_ID: 1,
  PHONE_NUMBER: `+7900${String(i).padStart(7, "0")}`,
  TYPE: 2,
  EXTERNAL_CALL_ID: `ext-${i}-${Math.random().toString(36).slice(2, 8)}`,
  SHOW: 0,
  ...extra,
});

describe.skipIf(!up)("B24Client with the emulator", () => {
  it("coalesces chains into batches of 50 and resolves $result references inside each batch", async () => {
    const { emu, client } = await setup({ limits: false }, { batch: { maxCommands: 50, windowMs: 50 } });
    // 100 calls × (register → finish by $result[reg][CALL_ID]) = 200 commands = 4 batches of 50
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        client.chain([
          { name: "reg", method: "telephony.externalCall.register", params: register(i) },
          { name: "fin", method: "telephony.externalCall.finish", params: { CALL_ID: "$result[reg][CALL_ID]", USER_ID: 1, DURATION: 42 } },
        ]),
      ),
    );
    for (const r of results) {
      expect(r.reg!.ok).toBe(true);
      expect(r.fin!.ok).toBe(true);
      const callId = (r.reg as { result: { CALL_ID: string } }).result.CALL_ID;
      expect((r.fin as { result: { CALL_ID: string } }).result.CALL_ID).toBe(callId); // each finish got its own register's id
    }
    const http = emu.requests().filter((q) => !q.viaBatch);
    expect(http.map((q) => q.method)).toEqual(["batch", "batch", "batch", "batch"]);
    for (const b of http) expect(emu.requests().filter((q) => q.batchOf === b.id)).toHaveLength(50);
    expect(emu.stats().callsFinished).toBe(100);
    // and a 3-command chain: register → show → finish
    const three = await client.chain([
      { name: "reg", method: "telephony.externalcall.register", params: register(1000) },
      { name: "show", method: "telephony.externalcall.show", params: { CALL_ID: "$result[reg][CALL_ID]", USER_ID: 2 } },
      { name: "fin", method: "telephony.externalcall.finish", params: { CALL_ID: "$result[reg][CALL_ID]", USER_ID: 1, DURATION: 5 } },
    ]);
    expect(three.show).toEqual({ ok: true, result: true });
    expect(three.fin!.ok).toBe(true);
  });

  it("returns business errors with Bitrix24's own text, per command, without retrying them", async () => {
    const { emu, client } = await setup({ limits: false });
    const bad = client.call("telephony.externalcall.register", { USER_ID: 1, PHONE_NUMBER: "+79001234567", TYPE: 9 });
    const notFound = client.call("telephony.externalcall.finish", { CALL_ID: "externalCall.00000000000000000000000000000000.1", USER_ID: 1 });
    const good = client.call<{ CALL_ID: string }>("telephony.externalcall.register", register(1));
    const [r1, r2, ok] = await Promise.all([bad.catch((e: unknown) => e), notFound.catch((e: unknown) => e), good]);
    const e1 = r1 as B24BusinessError;
    const e2 = r2 as B24BusinessError;
    expect(e1).toBeInstanceOf(B24BusinessError);
    expect(e1.description).toBe("Unknown TYPE");
    expect(e2).toBeInstanceOf(B24BusinessError);
    expect(e2.description).toBe("Call is not found (call should be registered prior to finishing");
    expect(ok.CALL_ID).toMatch(/^externalCall\.[0-9a-f]{32}\.\d+$/);
    // one batch, nothing re-sent; "Call is not found" was checked once against the statistics (decision 0006)
    expect(
      emu
        .requests()
        .filter((q) => q.viaBatch)
        .map((q) => q.method),
    ).toEqual(["telephony.externalcall.register", "telephony.externalcall.finish", "telephony.externalcall.register", "voximplant.statistic.get"]);
    expect(emu.stats().requests).toBe(2);
    const nf = await client.call("no.such.method").catch((e) => e);
    expect(nf).toBeInstanceOf(B24BusinessError);
    expect(emu.stats().requests).toBe(3);
  });

  it("OAuth: 100 concurrent expired_token failures cause exactly one refresh, then every request succeeds", async () => {
    const emu = await startB24Emulator({ oauth: { clientId: "app.1", clientSecret: "s3cret" }, users: USERS, limits: false });
    cleanup.push(() => emu.close());
    const tokens = emu.issueOAuthTokens();
    const prefix = uniquePrefix("crm-oauth");
    prefixes.push(prefix);
    const auth = oauthAuth({
      restUrl: `${emu.url}/rest/`,
      tokenUrl: emu.oauthTokenUrl,
      clientId: "app.1",
      clientSecret: "s3cret",
      initialTokens: { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expires: Number(tokens.expires ?? 0) },
    });
    // one command per request and 100 lanes: 100 requests in flight at once
    const client = new B24Client({ portal: "p", prefix, auth, lanes: 100, batch: { maxCommands: 1, windowMs: 1 }, limits: { burst: 10_000, drainPerSec: 10_000 } });
    cleanup.push(() => client.close());
    await client.call("user.get", { ID: 1 });
    emu.expireAccessTokens();
    emu.setFaults({ latencyMs: 2000 }); // keep all 100 requests in flight with the old token at once
    const before = emu.stats();
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => client.call<unknown[]>("user.get", { FILTER: { ID: 1 }, TAG: i })));
    expect(results).toHaveLength(100);
    const after = emu.stats();
    expect(after.authErrors - before.authErrors).toBeGreaterThanOrEqual(50); // really concurrent failures
    expect(after.tokenRefreshes - before.tokenRefreshes).toBe(1);
    expect(await auth.refreshCount()).toBe(1);
    // the rotated pair is in Redis for every other process
    const r = newRedis();
    const stored = await r.hgetall(`${prefix}:auth:oauth:p`);
    r.disconnect();
    expect(stored.accessToken).not.toBe(tokens.access_token);
    expect(stored.refreshToken).not.toBe(tokens.refresh_token);
  });

  it("an entry id submitted again (e.g. by a restarted process) is not sent again: it gets the first outcome", async () => {
    const { emu, client, prefix } = await setup({ limits: false });
    const first = await client.chain([{ name: "u", method: "user.get", params: { ID: 1 } }], { id: "call-42:lookup" });
    const again = new B24Client({ portal: "p", prefix, auth: webhookAuth(emu.webhookUrl), worker: false });
    cleanup.push(() => again.close());
    const second = await again.chain([{ name: "u", method: "user.get", params: { ID: 1 } }], { id: "call-42:lookup" });
    expect(second).toEqual(first);
    expect(await again.result("call-42:lookup")).toEqual(first);
    expect(await again.result("never-submitted")).toBeUndefined();
    expect(emu.stats().batchCommands).toBe(1);
  });

  it("a third auth mode plugs in through B24AuthMode", async () => {
    const { emu } = await setup({ limits: false });
    let prepared = 0;
    // e.g. the coming gateway token: here it just forwards to the webhook and counts
    const inner = webhookAuth(emu.webhookUrl);
    const gateway: B24AuthMode = {
      kind: "gateway",
      async prepare(method: string): Promise<PreparedAuth> {
        prepared++;
        const p = await inner.prepare(method);
        return { ...p, headers: { authorization: "Bearer gw-token" }, credential: "gw-token" };
      },
    };
    const prefix = uniquePrefix("crm-gw");
    prefixes.push(prefix);
    const client = new B24Client({ portal: "p", prefix, auth: gateway });
    cleanup.push(() => client.close());
    expect(await client.call<unknown[]>("user.get", { ID: 1 })).toHaveLength(1);
    expect(prepared).toBe(1);
    // a mode without renew: auth errors are final
    const wrong = new B24Client({ portal: "p2", prefix, auth: webhookAuth(emu.webhookUrl.replace("/secret/", "/wrong/")) });
    cleanup.push(() => wrong.close());
    await expect(wrong.call("user.get")).rejects.toBeInstanceOf(B24AuthError);
  });

  it("adapts when the portal is tighter than configured: 503s appear, then stop; everything is delivered once", async () => {
    // the portal allows 10 then 10/s; the client was told 50 then 25/s
    const { emu, client } = await setup({ limits: { burst: 10, drainPerSec: 10 } }, { batch: { maxCommands: 1, windowMs: 1 }, lanes: 4, limits: { burst: 50, drainPerSec: 25 } });
    const n = 150;
    const res = await Promise.all(Array.from({ length: n }, (_, i) => client.call<{ CALL_ID: string }>("telephony.externalcall.register", register(i))));
    expect(new Set(res.map((r) => r.CALL_ID)).size).toBe(n);
    const log = emu.requests().filter((q) => !q.viaBatch);
    const limited = log.filter((q) => q.status === 503);
    expect(limited.length).toBeGreaterThan(0); // the client really was too fast at first
    const lastLimited = log.lastIndexOf(limited.at(-1)!);
    expect(log.length - lastLimited - 1).toBeGreaterThanOrEqual(50); // ... and then stopped: a long clean tail
    expect(emu.stats().callsRegistered).toBe(n);
  });

  it("record uploads (outside any batch) take slots of the shared limit like batches: no 503", async () => {
    // the portal allows 4 then 4/s; 2 batches + 6 uploads would overflow it if uploads bypassed the limiter
    const { emu, client } = await setup({ limits: { burst: 4, drainPerSec: 4 } }, { limits: { burst: 4, drainPerSec: 4, safety: 0 } });
    const gateway = clientGateway(client, fetchUploader());
    const calls = await Promise.all(Array.from({ length: 6 }, (_, i) => client.call<{ CALL_ID: string }>("telephony.externalcall.register", register(i))));
    await Promise.all(calls.map((c) => client.call("telephony.externalcall.finish", { CALL_ID: c.CALL_ID, USER_ID: 1, DURATION: 5, STATUS_CODE: 200 })));
    const tickets = await Promise.all(
      calls.map((c) => client.call<{ uploadUrl: string; fieldName: string }>("telephony.externalcall.attachRecord", { CALL_ID: c.CALL_ID, FILENAME: "r.mp3" })),
    );
    const uploaded = await Promise.all(tickets.map((t) => gateway.upload<{ FILE_ID: number }>(t.uploadUrl, t.fieldName, "r.mp3", new Uint8Array([1, 2, 3]))));
    expect(uploaded.every((u) => Number(u.FILE_ID) > 0)).toBe(true);
    expect(emu.requests().filter((q) => !q.viaBatch && q.method === "upload")).toHaveLength(6);
    expect(emu.stats().limitErrors).toBe(0);
  });

  it("resets, 500s and hung requests: every call registered and finished exactly once", async () => {
    const { emu, client } = await setup(
      { limits: false, faults: { share500: 0.15, shareReset: 0.15, shareHang: 0.1, seed: 7 } },
      { http: { timeoutMs: 1500 }, batch: { maxCommands: 10, windowMs: 5 }, lanes: 4 },
    );
    const n = 60;
    const regs = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        client.chain([
          { name: "reg", method: "telephony.externalcall.register", params: register(i) },
          { name: "show", method: "telephony.externalcall.show", params: { CALL_ID: "$result[reg][CALL_ID]", USER_ID: 1 } },
        ]),
      ),
    );
    const ids = regs.map((r) => (r.reg as { ok: true; result: { CALL_ID: string } }).result.CALL_ID);
    expect(new Set(ids).size).toBe(n);
    const fins = await Promise.all(ids.map((id) => client.chain([{ name: "f", method: "telephony.externalcall.finish", params: { CALL_ID: id, USER_ID: 1, DURATION: 10 } }])));
    for (const f of fins) expect(f.f!.ok).toBe(true);
    const st = emu.stats();
    expect(st.faults.s500 + st.faults.reset + st.faults.hang).toBeGreaterThan(0);
    expect(st.callsFinished).toBe(n);
    const calls = emu.calls();
    expect(calls.filter((c) => c.finish)).toHaveLength(n);
    expect(new Set(calls.map((c) => c.EXTERNAL_CALL_ID)).size).toBe(calls.length); // no second call for any EXTERNAL_CALL_ID
  });
});
