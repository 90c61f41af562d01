import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restCall, startB24Emulator, type B24Emulator } from "../src/b24-emulator/index.js";
import { buildPhpQuery, parsePhpQuery, phpTruthy } from "../src/b24-emulator/php-query.js";

const users = [
  { ID: 1, NAME: "Anna", LAST_NAME: "Admin", UF_PHONE_INNER: "101" },
  { ID: 2, NAME: "Boris", UF_PHONE_INNER: "102" },
];

describe("b24 emulator: transport, auth, envelope", () => {
  let t = Date.UTC(2026, 2, 7, 7, 20, 30);
  let emu: B24Emulator;
  beforeAll(async () => {
    emu = await startB24Emulator({
      portal: "b24.test",
      webhook: { userId: 1, code: "whcode" },
      oauth: { clientId: "local.app", clientSecret: "s3cret", accessTtlSec: 3600 },
      users,
      limits: false,
      now: () => t,
    });
  });
  afterAll(() => emu.close());

  it("serves the webhook path form and exposes the URLs", async () => {
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.webhookUrl).toBe(`${emu.url}/rest/1/whcode/`);
    expect(emu.oauthTokenUrl).toBe(`${emu.url}/oauth/token/`);
    const r = await restCall(emu.webhookUrl, "user.get.json", { FILTER: { UF_PHONE_INNER: "102" } });
    expect(r.status).toBe(200);
    expect(r.body.result).toHaveLength(1);
    expect(r.body.result[0].ID).toBe("2");
    expect(r.body.total).toBe(1);
  });

  it("makes the .json suffix optional and method names case-insensitive", async () => {
    for (const m of ["user.get", "user.get.json", "USER.GET", "User.Get.json"]) {
      const r = await restCall(emu.webhookUrl, m, {});
      expect(r.status, m).toBe(200);
      expect(r.body.total).toBe(2);
    }
    const log = emu.requests().slice(-4);
    expect(log.every((e) => e.method === "user.get" && e.auth === "webhook")).toBe(true);
  });

  it("answers an unknown method with 404 before looking at credentials", async () => {
    const bad = await restCall(`${emu.url}/rest/1/wrong-code/`, "no.such.method", {});
    expect(bad.status).toBe(404);
    expect(bad.body).toEqual({ error: "ERROR_METHOD_NOT_FOUND", error_description: "Method not found!" });
    const noAuth = await restCall(emu.restUrl, "no.such.method", {});
    expect(noAuth.status).toBe(404);
  });

  it("rejects a wrong webhook with 401 INVALID_CREDENTIALS and a missing token with 401 NO_AUTH_FOUND", async () => {
    const wrong = await restCall(`${emu.url}/rest/1/wrong-code/`, "user.get", {});
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: "INVALID_CREDENTIALS", error_description: "Invalid request credentials" });
    const otherUser = await restCall(`${emu.url}/rest/2/whcode/`, "user.get", {});
    expect(otherUser.body.error).toBe("INVALID_CREDENTIALS");
    const none = await restCall(emu.restUrl, "user.get", {});
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ error: "NO_AUTH_FOUND", error_description: "Wrong authorization data" });
    expect(none.body.time).toBeUndefined();
    const bogus = await restCall(emu.restUrl, "user.get", { auth: "not-a-token" });
    expect(bogus.status).toBe(401);
    expect(bogus.body.error).toBe("invalid_token");
  });

  it("accepts the OAuth token in the query or in the body (JSON and form)", async () => {
    const tokens = emu.issueOAuthTokens();
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.client_endpoint).toBe(`${emu.url}/rest/`);
    const inBody = await restCall(emu.restUrl, "user.current", { auth: tokens.access_token });
    expect(inBody.status).toBe(200);
    expect(inBody.body.result.ID).toBe("1");
    const inQuery = await restCall(emu.restUrl, `user.get?auth=${tokens.access_token}`, { FILTER: { ID: 2 } });
    expect(inQuery.body.result[0].NAME).toBe("Boris");
    const form = await restCall(emu.restUrl, "user.get", { auth: tokens.access_token, FILTER: { ID: "1" } }, { encoding: "form" });
    expect(form.body.result[0].NAME).toBe("Anna");
    const get = await restCall(emu.restUrl, "user.get", { auth: tokens.access_token }, { encoding: "get" });
    expect(get.body.total).toBe(2);
    expect(emu.requests().at(-1)?.auth).toBe("oauth");
  });

  it("expires access tokens after the TTL (401 expired_token) and rotates the pair on refresh", async () => {
    const first = emu.issueOAuthTokens();
    t += 3599_000;
    expect((await restCall(emu.restUrl, "user.current", { auth: first.access_token })).status).toBe(200);
    t += 2_000;
    const expired = await restCall(emu.restUrl, "user.current", { auth: first.access_token });
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ error: "expired_token", error_description: "The access token provided has expired" });

    const q = new URLSearchParams({
      grant_type: "refresh_token",
      client_id: "local.app",
      client_secret: "s3cret",
      refresh_token: first.refresh_token,
    });
    const refreshed = await fetch(`${emu.oauthTokenUrl}?${q}`);
    expect(refreshed.status).toBe(200);
    const pair = (await refreshed.json()) as { access_token: string; refresh_token: string; expires_in: number; member_id: string };
    expect(pair.access_token).not.toBe(first.access_token);
    expect(pair.refresh_token).not.toBe(first.refresh_token);
    expect(pair.member_id).toBe(emu.memberId);
    expect((await restCall(emu.restUrl, "user.current", { auth: pair.access_token })).status).toBe(200);

    // the old refresh token is dead after use
    const again = await fetch(`${emu.oauthTokenUrl}?${q}`);
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe("invalid_grant");

    // POST form works too; wrong secret is invalid_client
    const bad = await fetch(emu.oauthTokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", client_id: "local.app", client_secret: "nope", refresh_token: pair.refresh_token }),
    });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: string }).error).toBe("invalid_client");
    expect(emu.stats().tokenRefreshes).toBe(1);
  });

  it("user.current is strictly the credential's own user: the webhook's owner, the token's user, never a missing or fired one", async () => {
    expect((await restCall(emu.webhookUrl, "user.current", {})).body.result).toMatchObject({ ID: "1", NAME: "Anna", LAST_NAME: "Admin", ACTIVE: true });
    const boris = emu.issueOAuthTokens(2);
    expect((await restCall(emu.restUrl, "user.current", { auth: boris.access_token })).body.result).toMatchObject({ ID: "2", NAME: "Boris" });
    const nobody = emu.issueOAuthTokens(99);
    const missing = await restCall(emu.restUrl, "user.current", { auth: nobody.access_token });
    expect([missing.status, missing.body.error]).toEqual([401, "INVALID_CREDENTIALS"]);
    emu.setUserActive(2, false);
    try {
      const fired = await restCall(emu.restUrl, "user.current", { auth: boris.access_token });
      expect([fired.status, fired.body.error]).toEqual([401, "INVALID_CREDENTIALS"]);
    } finally {
      emu.setUserActive(2, true);
    }
  });

  it("expireAccessTokens() expires every issued token now", async () => {
    const tk = emu.issueOAuthTokens();
    emu.expireAccessTokens();
    const r = await restCall(emu.restUrl, "user.current", { auth: tk.access_token });
    expect(r.body.error).toBe("expired_token");
  });

  it("supports the authorization_code grant", async () => {
    const code = emu.issueAuthCode();
    const q = new URLSearchParams({ grant_type: "authorization_code", client_id: "local.app", client_secret: "s3cret", code });
    const r = await fetch(`${emu.oauthTokenUrl}?${q}`);
    expect(r.status).toBe(200);
    const reuse = await fetch(`${emu.oauthTokenUrl}?${q}`);
    expect(reuse.status).toBe(400);
  });

  it("parses form bodies with PHP brackets, all values strings", async () => {
    const r = await restCall(
      emu.webhookUrl,
      "crm.lead.add",
      { fields: { TITLE: "From form", OPPORTUNITY: 150, PHONE: [{ VALUE: "+79990001122", VALUE_TYPE: "WORK" }] } },
      { encoding: "form" },
    );
    expect(r.status).toBe(200);
    const id = r.body.result as number;
    expect(typeof id).toBe("number");
    const lead = await restCall(emu.webhookUrl, "crm.lead.get", { id });
    expect(lead.body.result.TITLE).toBe("From form");
    expect(lead.body.result.OPPORTUNITY).toBe("150");
    expect(lead.body.result.PHONE[0].VALUE).toBe("+79990001122");
  });

  it("treats invalid JSON as empty params (no error)", async () => {
    const res = await fetch(`${emu.webhookUrl}user.get`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { total: number }).total).toBe(2);
  });

  it("puts an integer start/processing `time` object on success and none on errors", async () => {
    const ok = await restCall(emu.webhookUrl, "user.get", {});
    const time = ok.body.time;
    expect(Number.isInteger(time.start)).toBe(true);
    expect(Number.isInteger(time.processing)).toBe(true);
    expect(typeof time.finish).toBe("number");
    expect(typeof time.duration).toBe("number");
    expect(time.date_start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00$/);
    expect(time).not.toHaveProperty("operating");
    expect(time).not.toHaveProperty("operating_reset_at");
    const err = await restCall(emu.webhookUrl, "crm.lead.get", { id: 0 });
    expect(err.status).toBe(400);
    expect(err.body).toEqual({ error: "", error_description: "ID is not defined or invalid." });
  });
});

describe("b24 emulator: auth-type switches", () => {
  it("refuses telephony register for webhooks when webhookAllowedForTelephony=false (403 WRONG_AUTH_TYPE)", async () => {
    const emu = await startB24Emulator({
      webhook: { userId: 1, code: "c" },
      oauth: { clientId: "a", clientSecret: "b" },
      users,
      webhookAllowedForTelephony: false,
    });
    try {
      const params = { USER_ID: 1, PHONE_NUMBER: "+79001234567", TYPE: 2 };
      const r = await restCall(emu.webhookUrl, "telephony.externalcall.register", params);
      expect(r.status).toBe(403);
      expect(r.body).toEqual({ error: "WRONG_AUTH_TYPE", error_description: "Current authorization type is denied for this method" });
      // show/hide/searchCrmEntities have no gate
      expect((await restCall(emu.webhookUrl, "telephony.externalcall.show", { CALL_ID: "x" })).body.result).toBe(false);
      const ok = await restCall(emu.restUrl, "telephony.externalcall.register", { ...params, auth: emu.issueOAuthTokens().access_token });
      expect(ok.status).toBe(200);
      // event.bind is app-only by default
      const bind = await restCall(emu.webhookUrl, "event.bind", { event: "ONEXTERNALCALLSTART", handler: "http://127.0.0.1:1/h" });
      expect(bind.status).toBe(403);
    } finally {
      await emu.close();
    }
  });
});

describe("php-query", () => {
  it("parses bracket arrays like parse_str and builds them back", () => {
    expect(parsePhpQuery("FIELDS[TITLE]=a+b&values[]=1&values[]=2&x=%2B7")).toEqual({
      FIELDS: { TITLE: "a b" },
      values: ["1", "2"],
      x: "+7",
    });
    expect(parsePhpQuery("a[2]=x&a[5]=y")).toEqual({ a: { "2": "x", "5": "y" } });
    const q = buildPhpQuery({ data: { PHONE: "+7", LIST: [1, 2] }, flag: true, skip: null });
    expect(decodeURIComponent(q)).toBe("data[PHONE]=+7&data[LIST][0]=1&data[LIST][1]=2&flag=1");
  });

  it("implements PHP truthiness", () => {
    expect(["false", "1", "true", 1, true, "a", [0]].every(phpTruthy)).toBe(true);
    expect(["", "0", 0, false, null, undefined, []].some(phpTruthy)).toBe(false);
  });
});
