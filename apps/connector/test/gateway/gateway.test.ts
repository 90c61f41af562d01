/**
 * The b24-app's REST gateway as the connector's third auth mode: tokens bound to scopes, revocation
 * at once, one refresh of the portal's OAuth pair under concurrent load (two b24-app processes),
 * webhook mode with no OAuth server at all, rate-limit answers passed through. Real HTTP, real
 * Redis, the strict Bitrix24 emulator; tokens are issued and revoked with the admin CLI.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildPhpQuery, DEMO_USERS, requireService, SERVICES, startB24Emulator, uniquePrefix, type B24Emulator } from "@asterisk-b24/testkit";
import { B24App, installUrl, loadB24AppConfig, runCli, silentLogger as appLogger } from "../../../b24-app/src/index.js";
import { B24AuthError, B24Client, gatewayAuth } from "../../src/crm/index.js";

const available = await requireService("redis");

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Setup {
  emu: B24Emulator;
  configFile: string;
  apps: B24App[];
  gatewayUrl: string;
  cli(...args: string[]): Promise<string>;
  issue(scope?: string): Promise<{ token: string; jti: string }>;
  rest(token: string, method: string, body?: Record<string, unknown>, app?: B24App): Promise<{ status: number; json: Record<string, unknown> }>;
}

async function setup(opts: { credential: "oauth" | "webhook"; oauthServerUrl?: string; processes?: number; install?: boolean; portalTimeoutMs?: number }): Promise<Setup> {
  const emu = await startB24Emulator({
    webhook: { userId: 1, code: "gw0webhook0code" },
    oauth: { clientId: "local.gw", clientSecret: "gw-secret", applicationToken: randomBytes(16).toString("hex") },
    users: DEMO_USERS,
    limits: false,
  });
  cleanups.push(() => emu.close());
  const dir = mkdtempSync(join(tmpdir(), "ab24-gw-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const configFile = join(dir, "b24-app.json");
  const prefix = uniquePrefix("gw");
  writeFileSync(
    configFile,
    JSON.stringify({
      http: { host: "127.0.0.1", port: 0, publicUrl: "http://127.0.0.1:9" },
      portal: {
        url: emu.url,
        ...(opts.portalTimeoutMs ? { timeoutMs: opts.portalTimeoutMs } : {}),
        credential:
          opts.credential === "oauth"
            ? { mode: "oauth", clientId: "local.gw", clientSecret: "gw-secret", oauthServerUrl: opts.oauthServerUrl ?? emu.oauthTokenUrl }
            : { mode: "webhook", webhookUrl: emu.webhookUrl },
      },
      install: { key: "install-key-0123456789" },
      redis: { url: SERVICES.redis.url, prefix },
      queue: { name: `gw-${prefix.replace(/[^A-Za-z0-9_-]/g, "_")}` },
      tokens: { privateKeyFile: join(dir, "keys", "token.key"), publicKeyFile: join(dir, "keys", "token.pub") },
      log: { level: "silent" },
    }),
  );
  const cli = (...args: string[]) => runCli([...args, "--config", configFile], {});
  expect(await cli("keygen")).toMatch(/wrote ES256 key pair/);
  const config = loadB24AppConfig(configFile, {});
  const apps: B24App[] = [];
  for (let i = 0; i < (opts.processes ?? 1); i++) {
    const app = new B24App({ config, logger: appLogger() });
    await app.start();
    cleanups.push(() => app.stop());
    apps.push(app);
  }
  if (opts.install !== false) {
    const t = emu.issueOAuthTokens();
    const res = await fetch(installUrl(config).replace("127.0.0.1:9", `127.0.0.1:${apps[0]!.port}`), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: buildPhpQuery({ event: "ONAPPINSTALL", data: { VERSION: "1" }, auth: { ...t, application_token: emu.applicationToken } }),
    });
    expect(res.status).toBe(200);
  }
  const gatewayUrl = `http://127.0.0.1:${apps[0]!.port}/gateway`;
  return {
    emu,
    configFile,
    apps,
    gatewayUrl,
    cli,
    async issue(scope = "connector") {
      const out = await cli("token", "issue", "--connector", "pbx-1", "--scope", scope);
      const json = JSON.parse(out.slice(out.indexOf("{"))) as { token: string };
      return { token: json.token, jti: /issued (\S+)/.exec(out)![1]! };
    },
    async rest(token, method, body = {}, app = apps[0]!) {
      const r = await fetch(`http://127.0.0.1:${app.port}/gateway/rest/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      return { status: r.status, json: (await r.json()) as Record<string, unknown> };
    },
  };
}

function connectorClient(gatewayUrl: string, token: string): B24Client {
  const client = new B24Client({
    portal: `gw-${randomBytes(4).toString("hex")}`,
    auth: gatewayAuth(gatewayUrl, token),
    redis: { host: SERVICES.redis.host, port: SERVICES.redis.port },
    prefix: uniquePrefix("gw-client"),
    batch: { windowMs: 5 },
    limits: { burst: 50, drainPerSec: 50 },
    retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 50 } as never,
  });
  cleanups.push(() => client.close({ force: true }));
  return client;
}

describe.runIf(available)("b24-app gateway", () => {
  it("a connector token works only for its scopes (single methods and every command of a batch)", async () => {
    const s = await setup({ credential: "oauth" });
    const { token } = await s.issue("user.get,telephony.externalline.get");
    const ok = await s.rest(token, "user.get", { ID: 2 });
    expect(ok.status).toBe(200);
    expect((ok.json.result as Array<{ ID: string }>)[0]!.ID).toBe("2");
    const before = s.emu.stats().requests;
    const denied = await s.rest(token, "telephony.externalcall.register", { USER_ID: 1, PHONE_NUMBER: "+79161234567", TYPE: 2 });
    expect(denied).toMatchObject({ status: 403, json: { error: "insufficient_scope" } });
    const mixed = await s.rest(token, "batch", { halt: 0, cmd: { a: "user.get?ID=1", b: "crm.lead.add?FIELDS[TITLE]=x" } });
    expect(mixed.status).toBe(403);
    expect(String(mixed.json.error_description)).toMatch(/crm\.lead\.add/);
    expect(s.emu.stats().requests).toBe(before); // nothing out of scope reached the portal
    const batch = await s.rest(token, "batch", { halt: 0, cmd: { a: "user.get?ID=1", b: "telephony.externalLine.get" } });
    expect(batch.status).toBe(200);
    // the connector's own client (batched, queued) through the gateway
    const client = connectorClient(s.gatewayUrl, token);
    const users = await client.call<Array<{ ID: string }>>("user.get", { ID: 3 });
    expect(users[0]!.ID).toBe("3");
    await expect(client.call("crm.lead.add", { FIELDS: { TITLE: "x" } })).rejects.toBeInstanceOf(B24AuthError);
    expect(s.emu.stats().byMethod["crm.lead.add"] ?? 0).toBe(0);
  });

  it("a revoked token is refused at once, by every b24-app process; every use is audited", async () => {
    const s = await setup({ credential: "oauth", processes: 2 });
    const { token, jti } = await s.issue();
    expect((await s.rest(token, "user.get", {}, s.apps[0])).status).toBe(200);
    expect((await s.rest(token, "user.get", {}, s.apps[1])).status).toBe(200);
    expect(await s.cli("token", "revoke", jti)).toMatch(/revoked/);
    for (const app of s.apps) {
      const r = await s.rest(token, "user.get", {}, app);
      expect(r).toMatchObject({ status: 401, json: { error: "INVALID_CREDENTIALS" } });
      expect(String(r.json.error_description)).toMatch(/revoked/);
    }
    expect(await s.cli("token", "list")).toMatch(new RegExp(`${jti} .*REVOKED`));
    const audit = await s.apps[0]!.store.auditTail(10);
    expect(audit.map((a) => [a.kind, a.status, a.reason ?? ""])).toEqual([
      ["rest", 200, ""],
      ["rest", 200, ""],
      ["refused", 401, "revoked"],
      ["refused", 401, "revoked"],
    ]);
    expect(audit[0]).toMatchObject({ jti, connectorId: "pbx-1", methods: "user.get" });
    // a token signed by another key is refused too
    const forged = token.split(".").slice(0, 2).join(".") + "." + randomBytes(64).toString("base64url");
    expect((await s.rest(forged, "user.get")).status).toBe(401);
  });

  it("an expired portal token is refreshed once under concurrent load (two processes), and the rotated pair is kept", async () => {
    const s = await setup({ credential: "oauth", processes: 2 });
    const { token } = await s.issue();
    const before = await s.apps[0]!.store.oauthPair();
    s.emu.expireAccessTokens();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => s.rest(token, "user.get", { ID: (i % 6) + 1 }, s.apps[i % 2])));
    expect(results.map((r) => r.status)).toEqual(Array(40).fill(200));
    expect(await s.apps[0]!.store.refreshCount()).toBe(1);
    const after = await s.apps[0]!.store.oauthPair();
    expect(after!.refreshToken).not.toBe(before!.refreshToken);
    expect(after!.accessToken).not.toBe(before!.accessToken);
    // a b24-app started later uses the persisted pair (the old refresh token is dead at the portal)
    const late = new B24App({ config: loadB24AppConfig(s.configFile, {}), logger: appLogger() });
    await late.start();
    cleanups.push(() => late.stop());
    expect((await s.rest(token, "user.get", {}, late)).status).toBe(200);
    expect(await late.store.refreshCount()).toBe(1);
  });

  it("webhook mode works with no OAuth server reachable; OAuth mode then answers a retryable 503", async () => {
    const closed = "http://127.0.0.1:9/oauth/token/"; // discard port: nothing listens
    const w = await setup({ credential: "webhook", install: false });
    const { token } = await w.issue();
    w.emu.expireAccessTokens();
    const client = connectorClient(w.gatewayUrl, token);
    expect((await client.call<Array<{ ID: string }>>("user.get", { ID: 1 }))[0]!.ID).toBe("1");
    expect((await w.rest(token, "telephony.externalLine.get")).status).toBe(200);
    expect(await w.apps[0]!.store.refreshCount()).toBe(0);
    expect(w.emu.requests().length).toBeGreaterThan(0);
    expect(w.emu.requests().every((r) => r.auth === "webhook")).toBe(true); // the portal never saw an OAuth token

    const o = await setup({ credential: "oauth", oauthServerUrl: closed });
    const t2 = await o.issue();
    o.emu.expireAccessTokens();
    const r = await o.rest(t2.token, "user.get");
    expect(r.status).toBe(503);
    expect(r.json.error).toBe("OAUTH_UNREACHABLE");
  });

  it("an answer lost after the portal ran the request: 504 PORTAL_NO_ANSWER (maybe executed), a proxy's 503 page unchanged", async () => {
    const s = await setup({ credential: "webhook", install: false, portalTimeoutMs: 300 });
    const { token } = await s.issue();
    const line = (n: number) => ({ NUMBER: `7495000000${n}`, NAME: `Line ${n}` });
    for (const [i, fault] of (["shareResetAfter", "shareHangAfter"] as const).entries()) {
      s.emu.setFaults({ [fault]: 1 });
      const r = await s.rest(token, "telephony.externalLine.add", line(i));
      expect({ fault, status: r.status, error: r.json.error }).toEqual({ fault, status: 504, error: "PORTAL_NO_ANSWER" });
    }
    s.emu.setFaults({ share503After: 1 });
    const page = await fetch(`${s.gatewayUrl}/rest/telephony.externalLine.add`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(line(2)),
    });
    expect(page.status).toBe(503);
    expect(await page.text()).toContain("503 Service Temporarily Unavailable");
    s.emu.setFaults({});
    // the portal did run all three
    expect(s.emu.snapshot().lines).toHaveLength(3);
  });

  it("rate-limit answers come back unchanged (the connector's queue keeps the pace)", async () => {
    const s = await setup({ credential: "oauth" });
    const { token } = await s.issue();
    s.emu.setLimits({ burst: 1, drainPerSec: 0.001 });
    const first = await s.rest(token, "user.get");
    const second = await s.rest(token, "user.get");
    expect(first.status).toBe(200);
    expect(second.status).toBe(503);
    expect(second.json.error).toBe("QUERY_LIMIT_EXCEEDED");
  });

  it("install: a wrong key or a token that does not open this portal is refused", async () => {
    const s = await setup({ credential: "oauth", install: false });
    const url = `http://127.0.0.1:${s.apps[0]!.port}/b24/install`;
    const body = (t: object) => buildPhpQuery({ event: "ONAPPINSTALL", auth: { ...t, application_token: "x".repeat(32) } });
    const post = (u: string, b: string) => fetch(u, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: b });
    expect((await post(`${url}?key=wrong-key-000000000`, body(s.emu.issueOAuthTokens()))).status).toBe(403);
    expect((await post(`${url}?key=install-key-0123456789`, body({ access_token: "forged", refresh_token: "forged" }))).status).toBe(403);
    expect(await s.apps[0]!.store.install()).toBeUndefined();
    expect((await post(`${url}?key=install-key-0123456789`, body(s.emu.issueOAuthTokens()))).status).toBe(200);
    expect((await s.apps[0]!.store.install())!.applicationToken).toBe("x".repeat(32));
    expect(s.emu.snapshot().bindings).toEqual(expect.arrayContaining([expect.objectContaining({ event: "ONEXTERNALCALLSTART", handler: "http://127.0.0.1:9/b24/events" })]));
  });
});
