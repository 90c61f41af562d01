/**
 * The shared Redis-locked OAuth store against the real Redis and a real token endpoint (a small
 * HTTP server that counts refresh requests and can hold its answer until the test lets it go).
 * Each RedisOAuthTokenStore gets its own Redis connection, like separate processes.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { RedisOAuthTokenStore, requestTokenRefresh, type OAuthPair, type OAuthRefresher } from "../src/index.js";

class NoPair extends Error {}
class WaitTimeout extends Error {}
class Refused extends Error {}

/** A token endpoint: rotates the pair it knows; each refresh waits for `gate` when one is set. */
class TokenServer {
  requests = 0;
  current: OAuthPair = { accessToken: "a0", refreshToken: "r0", expires: 1000 };
  gate: Promise<void> | undefined;
  private server!: Server;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.requests++;
      const rt = new URL(req.url ?? "/", "http://x").searchParams.get("refresh_token");
      void (this.gate ?? Promise.resolve()).then(() => {
        res.setHeader("content-type", "application/json");
        if (rt !== this.current.refreshToken) {
          res.statusCode = 400;
          res.end(JSON.stringify({ error: "invalid_grant", error_description: "refresh token is invalid" }));
          return;
        }
        const n = this.requests;
        this.current = { accessToken: `a${n}`, refreshToken: `r${n}`, expires: 1000 + n };
        res.end(JSON.stringify({ access_token: this.current.accessToken, refresh_token: this.current.refreshToken, expires: this.current.expires }));
      });
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/oauth/token/`;
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

function refresher(tokens: TokenServer, extra: Partial<OAuthRefresher> = {}): OAuthRefresher {
  return {
    refresh: async (refreshToken) => {
      const r = await requestTokenRefresh({ tokenUrl: tokens.url, clientId: "app", clientSecret: "s", refreshToken });
      if (r.kind !== "ok") throw new Refused(r.kind === "refused" ? r.error : r.error.message);
      return { accessToken: r.accessToken, refreshToken: r.refreshToken, expires: r.expires };
    },
    noPair: () => new NoPair("no pair"),
    waitTimeout: () => new WaitTimeout("waited too long"),
    pollMs: 10,
    ...extra,
  };
}

describe("RedisOAuthTokenStore (real Redis)", () => {
  let available = false;
  const conns: Redis[] = [];
  const prefixes: string[] = [];
  let tokens: TokenServer;

  beforeAll(async () => {
    available = await requireService("redis");
  });

  afterAll(async () => {
    const r = new Redis(SERVICES.redis.url);
    for (const p of prefixes) {
      const keys = await r.keys(`${p}*`);
      if (keys.length) await r.del(...keys);
    }
    r.disconnect();
    for (const c of conns) c.disconnect();
  });

  /** A fresh token server and a pair key seeded with its current pair. */
  async function setup(label: string): Promise<{ pairKey: string; store: () => { store: RedisOAuthTokenStore; redis: Redis } }> {
    tokens = new TokenServer();
    await tokens.start();
    const pairKey = `${uniquePrefix(label)}:oauth`;
    prefixes.push(pairKey);
    const make = () => {
      const redis = new Redis(SERVICES.redis.url);
      conns.push(redis);
      return { store: new RedisOAuthTokenStore({ redis, pairKey }), redis };
    };
    expect(await make().store.seed(tokens.current)).toBe(true);
    return { pairKey, store: make };
  }

  /** Starts a renewal of "a0" on `s` and resolves once its refresh request is held at the token server. */
  async function heldRefresh(s: RedisOAuthTokenStore): Promise<{ pending: Promise<OAuthPair>; open: () => void }> {
    let open!: () => void;
    tokens.gate = new Promise((r) => (open = r));
    const pending = s.renew("a0", refresher(tokens));
    await vi.waitFor(() => expect(tokens.requests).toBe(1), { timeout: 30_000, interval: 20 });
    return { pending, open };
  }

  it("seeds only when no pair is stored, and loads the pair", async ({ skip }) => {
    if (!available) skip();
    const { store } = await setup("oauth-seed");
    const s = store().store;
    expect(await s.seed({ accessToken: "other", refreshToken: "other", expires: 1 })).toBe(false);
    expect(await s.load()).toEqual({ accessToken: "a0", refreshToken: "r0", expires: 1000 });
    expect(await s.refreshCount()).toBe(0);
    await tokens.close();
  });

  it("two processes racing on an expired token: exactly one refresh request, both get the new pair, rotation persisted", async ({ skip }) => {
    if (!available) skip();
    const { pairKey, store } = await setup("oauth-race");
    const a = store();
    const b = store();
    const bSet = vi.spyOn(b.redis, "set");
    const { pending: ra, open } = await heldRefresh(a.store); // A holds the lock, its refresh is in flight
    const rb = b.store.renew("a0", refresher(tokens));
    // B tried the lock and found it held (SET NX answered null) before A's refresh lands.
    await vi.waitFor(() => expect(bSet.mock.settledResults.some((r) => r.type === "fulfilled" && r.value === null)).toBe(true), { timeout: 30_000, interval: 20 });
    open();
    const [pa, pb] = await Promise.all([ra, rb]);
    expect(pa).toEqual({ accessToken: "a1", refreshToken: "r1", expires: 1001 });
    expect(pb).toEqual(pa);
    expect(tokens.requests).toBe(1);
    const h = await a.redis.hgetall(pairKey);
    expect(h).toMatchObject({ accessToken: "a1", refreshToken: "r1", expires: "1001", refreshes: "1" });
    expect(h.refreshedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await a.redis.exists(`${pairKey}:lock`)).toBe(0);
    // a renewal for a token that was already rotated does not refresh again
    expect(await b.store.renew("a0", refresher(tokens))).toEqual(pa);
    expect(tokens.requests).toBe(1);
    await tokens.close();
  });

  it("concurrent renewals in one process share one refresh", async ({ skip }) => {
    if (!available) skip();
    const { store } = await setup("oauth-inproc");
    const { store: s, redis } = store();
    const set = vi.spyOn(redis, "set");
    const all = await Promise.all(Array.from({ length: 20 }, () => s.renew("a0", refresher(tokens))));
    expect(new Set(all.map((p) => p.accessToken))).toEqual(new Set(["a1"]));
    expect(tokens.requests).toBe(1);
    expect(set).toHaveBeenCalledTimes(1); // one renewal took the lock; the others shared its promise
    expect(await s.refreshCount()).toBe(1);
    await tokens.close();
  });

  it("releases the lock only when it still owns it", async ({ skip }) => {
    if (!available) skip();
    const { pairKey, store } = await setup("oauth-owner");
    const a = store();
    const { pending: ra, open } = await heldRefresh(a.store);
    // A's lock "expired" meanwhile and another process took it
    await a.redis.set(`${pairKey}:lock`, "someone-else", "PX", 60_000);
    open();
    expect((await ra).accessToken).toBe("a1");
    expect(await a.redis.get(`${pairKey}:lock`)).toBe("someone-else");
    await tokens.close();
  });

  it("a crashed holder's lock expires and another process refreshes", async ({ skip }) => {
    if (!available) skip();
    const { pairKey, store } = await setup("oauth-crash");
    const a = store();
    await a.redis.set(`${pairKey}:lock`, "crashed-process", "PX", 300);
    const p = await a.store.renew("a0", refresher(tokens));
    expect(p.accessToken).toBe("a1");
    expect(tokens.requests).toBe(1);
    expect(await a.redis.exists(`${pairKey}:lock`)).toBe(0);
    await tokens.close();
  });

  it("gives up with the app's error when the holder never finishes within waitMs", async ({ skip }) => {
    if (!available) skip();
    const { pairKey, store } = await setup("oauth-wait");
    const a = store();
    await a.redis.set(`${pairKey}:lock`, "slow-process", "PX", 120_000);
    await expect(a.store.renew("a0", refresher(tokens, { waitMs: 200 }))).rejects.toBeInstanceOf(WaitTimeout);
    expect(tokens.requests).toBe(0);
    await tokens.close();
  });

  it("reports a refused refresh with the app's error, keeps the stored pair and frees the lock", async ({ skip }) => {
    if (!available) skip();
    const { pairKey, store } = await setup("oauth-refused");
    const a = store();
    tokens.current = { ...tokens.current, refreshToken: "r-server-forgot" }; // the stored refresh token is no longer valid
    await expect(a.store.renew("a0", refresher(tokens))).rejects.toThrow(Refused);
    await expect(a.store.renew("a0", refresher(tokens))).rejects.toThrow("invalid_grant");
    expect(await a.store.load()).toEqual({ accessToken: "a0", refreshToken: "r0", expires: 1000 });
    expect(await a.redis.exists(`${pairKey}:lock`)).toBe(0);
    expect(await a.store.refreshCount()).toBe(0);
    await tokens.close();
  });

  it("reports a missing pair with the app's error", async ({ skip }) => {
    if (!available) skip();
    const redis = new Redis(SERVICES.redis.url);
    conns.push(redis);
    const pairKey = `${uniquePrefix("oauth-none")}:oauth`;
    tokens = new TokenServer();
    await tokens.start();
    await expect(new RedisOAuthTokenStore({ redis, pairKey }).renew("a0", refresher(tokens))).rejects.toBeInstanceOf(NoPair);
    expect(tokens.requests).toBe(0);
    await tokens.close();
  });
});
