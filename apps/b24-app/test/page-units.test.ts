/** The page's pieces without a browser: users ↔ extensions matching, the frame-token check, the `connector` config key. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireService, SERVICES, startB24Emulator, uniquePrefix, type B24Emulator } from "@asterisk-b24/testkit";
import { Redis } from "ioredis";
import { AppStore, FrameAuth, FrameAuthError, parseB24AppConfig, B24AppConfigError } from "../src/index.js";
import { matchUsersAndExtensions } from "../web/users-table.js";

describe("users ↔ extensions", () => {
  it("flags users without an inner number, shared numbers, extensions that map to nobody; skips inactive users", () => {
    const rows = matchUsersAndExtensions(
      [
        { ID: "1", NAME: "Ivan", LAST_NAME: "Petrov", UF_PHONE_INNER: "101", ACTIVE: true },
        { ID: "2", NAME: "Maria", UF_PHONE_INNER: null, ACTIVE: true },
        { ID: "3", NAME: "Olga", UF_PHONE_INNER: "103", ACTIVE: true },
        { ID: "4", NAME: "Anna", UF_PHONE_INNER: "104", ACTIVE: true },
        { ID: "5", NAME: "Boris", UF_PHONE_INNER: "104", ACTIVE: true },
        { ID: "6", NAME: "Gone", UF_PHONE_INNER: "106", ACTIVE: false },
      ],
      [
        { extension: "101", b24Inner: "101", calls: 4, answered: 3 },
        { extension: "7701106", b24Inner: "106", calls: 2, answered: 0 },
      ],
    );
    expect(rows.map((r) => [r.state, r.userId, r.inner, r.extension])).toEqual([
      ["maps-to-nobody", "", "106", "7701106"],
      ["no-inner-number", "2", "", ""],
      ["duplicate-inner-number", "4", "104", ""],
      ["duplicate-inner-number", "5", "104", ""],
      ["no-calls-seen", "3", "103", ""],
      ["ok", "1", "101", "101"],
    ]);
    expect(rows.find((r) => r.state === "ok")).toMatchObject({ userName: "Ivan Petrov", calls: 4 });
  });
});

describe("config: connector", () => {
  const base = {
    http: { port: 0, publicUrl: "https://b24-app.example.local:8090" },
    portal: { url: "https://b24.example.local", credential: { mode: "webhook", webhookUrl: "https://b24.example.local/rest/1/x/" } },
    install: { key: "install-key-0123456789" },
    tokens: { privateKeyFile: "/k", publicKeyFile: "/p" },
  };
  it("is optional; url must be a URL; user and password go together; the password may come from the environment", () => {
    expect(parseB24AppConfig(base, "t", {}).connector).toBeUndefined();
    const paths = (raw: unknown) => {
      try {
        parseB24AppConfig(raw, "t", {});
        return [];
      } catch (err) {
        expect(err).toBeInstanceOf(B24AppConfigError);
        return (err as B24AppConfigError).issues.map((i) => i.path);
      }
    };
    expect(paths({ ...base, connector: { url: "not a url" } })).toEqual(["connector.url"]);
    expect(paths({ ...base, connector: { url: "http://127.0.0.1:8077", user: "admin" } })).toEqual(["connector.password"]);
    expect(paths({ ...base, connector: { url: "http://127.0.0.1:8077", extra: 1 } })).toEqual(["connector"]);
    const c = parseB24AppConfig({ ...base, connector: { url: "http://127.0.0.1:8077", user: "admin" } }, "t", { B24_APP_CONNECTOR_PASSWORD: "pw" }).connector;
    expect(c).toEqual({ url: "http://127.0.0.1:8077", user: "admin", password: "pw", timeoutMs: 5000 });
  });
});

const redisUp = await requireService("redis");

describe.runIf(redisUp)("frame token check", () => {
  let emu: B24Emulator;
  let redis: Redis;
  let store: AppStore;
  beforeAll(async () => {
    emu = await startB24Emulator({
      oauth: { clientId: "local.ours", clientSecret: "s" },
      users: [
        { ID: 1, NAME: "Admin" },
        { ID: 2, NAME: "Plain", LAST_NAME: "User" },
      ],
      limits: false,
    });
    redis = new Redis(SERVICES.redis.url);
    store = new AppStore(redis, uniquePrefix("frame-auth"));
  });
  afterAll(async () => {
    redis.disconnect();
    await emu.close();
  });
  const refused = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FrameAuthError);
    return [(err as FrameAuthError).status, (err as FrameAuthError).code];
  };

  it("checks member_id, the token on the portal, the application and the admin right; caches the answer per token", async () => {
    const auth = new FrameAuth({ store, portalUrl: emu.url, clientId: "local.ours", timeoutMs: 10_000 });
    const t = emu.issueOAuthTokens(2);
    expect(await refused(auth.verify(t.access_token, t.member_id))).toEqual([503, "NOT_INSTALLED"]);
    await store.saveInstall({ memberId: emu.memberId, domain: "x", applicationToken: "at", installedAt: "now", scope: "", userId: "1" });
    expect(await refused(auth.verify(undefined, t.member_id))).toEqual([401, "NO_FRAME_AUTH"]);
    expect(await refused(auth.verify(t.access_token, "another-member"))).toEqual([403, "WRONG_PORTAL"]);
    expect(await refused(auth.verify("not-a-token", t.member_id))).toEqual([401, "FRAME_TOKEN_REFUSED"]);
    expect(await auth.verify(t.access_token, t.member_id)).toEqual({ id: "2", name: "Plain User", admin: false });
    const a = emu.issueOAuthTokens(1);
    expect(await auth.verify(a.access_token, a.member_id)).toMatchObject({ id: "1", admin: true });
    const before = emu.stats().requests;
    await auth.verify(a.access_token, a.member_id);
    expect(emu.stats().requests).toBe(before); // cached
    const other = new FrameAuth({ store, portalUrl: emu.url, clientId: "local.another-app", timeoutMs: 10_000 });
    expect(await refused(other.verify(a.access_token, a.member_id))).toEqual([403, "WRONG_APPLICATION"]);
  });
});
