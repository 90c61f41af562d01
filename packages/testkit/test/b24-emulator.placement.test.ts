/**
 * The app's context in the emulated portal: placement.bind/unbind/get/list (admin, OAuth app, known place,
 * handler on the app's host), user.admin, app.info, CORS for browser REST calls, and the portal page that frames
 * the app (the POST Bitrix24 makes to the handler: query DOMAIN/PROTOCOL/LANG/APP_SID, body AUTH_ID … PLACEMENT_OPTIONS).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restCall, startB24Emulator, type B24Emulator } from "../src/b24-emulator/index.js";

describe("b24 emulator: placements and the app frame", () => {
  let emu: B24Emulator;
  const as = (userId: number) => {
    const token = emu.issueOAuthTokens(userId).access_token;
    return (m: string, p: Record<string, unknown> = {}) => restCall(emu.restUrl, m, { ...p, auth: token });
  };
  const HANDLER = "http://127.0.0.1:9/b24/placement/call-card";

  beforeAll(async () => {
    emu = await startB24Emulator({
      webhook: { userId: 1, code: "pl" },
      oauth: { clientId: "local.pl", clientSecret: "s", handlerUrl: "http://127.0.0.1:9/b24/app" },
      users: [
        { ID: 1, NAME: "Admin", UF_PHONE_INNER: "101" },
        { ID: 2, NAME: "Plain", UF_PHONE_INNER: "102" },
      ],
      limits: false,
    });
  });
  afterAll(() => emu.close());

  it("placement.bind needs the app's OAuth token of an administrator, a known place and a handler on the app's host", async () => {
    const admin = as(1);
    const viaWebhook = await restCall(emu.webhookUrl, "placement.bind", { PLACEMENT: "CALL_CARD", HANDLER });
    expect(viaWebhook.status).toBe(403);
    expect(viaWebhook.body.error).toBe("WRONG_AUTH_TYPE");
    const plain = await as(2)("placement.bind", { PLACEMENT: "CALL_CARD", HANDLER });
    expect([plain.status, plain.body.error]).toEqual([403, "ACCESS_DENIED"]);
    expect((await admin("placement.bind", { PLACEMENT: "NO_SUCH_PLACE", HANDLER })).body.error).toBe("ERROR_PLACEMENT_NOT_FOUND");
    expect((await admin("placement.bind", { PLACEMENT: "CALL_CARD", HANDLER: "http://elsewhere.example/x" })).body.error).toBe("ERROR_WRONG_HANDLER_URL");
    expect((await admin("placement.bind", { PLACEMENT: "CALL_CARD" })).body.error).toBe("ERROR_WRONG_HANDLER_URL");

    const ok = await admin("placement.bind", { PLACEMENT: "call_card", HANDLER, TITLE: "PBX" });
    expect([ok.status, ok.body.result]).toEqual([200, true]);
    expect((await admin("placement.bind", { PLACEMENT: "CALL_CARD", HANDLER })).body.error).toBe("ERROR_PLACEMENT_HANDLER_ALREADY_BINDED");
    expect((await admin("placement.get")).body.result).toEqual([{ placement: "CALL_CARD", handler: HANDLER, title: "PBX", description: "", options: [], userId: "0" }]);
    expect((await as(2)("placement.get")).status).toBe(403);
    expect((await admin("placement.list")).body.result).toContain("CALL_CARD");
    expect(emu.placements()).toEqual([{ placement: "CALL_CARD", handler: HANDLER, title: "PBX", appId: 1 }]);

    expect((await admin("placement.unbind", { PLACEMENT: "CALL_CARD", HANDLER })).body.result).toEqual({ count: 1 });
    expect((await admin("placement.get")).body.result).toEqual([]);
  });

  it("user.admin, profile and app.info answer for the token's user and app", async () => {
    expect((await as(1)("user.admin")).body.result).toBe(true);
    expect((await as(2)("user.admin")).body.result).toBe(false);
    expect((await as(2)("profile")).body.result).toMatchObject({ ID: "2", ADMIN: false, NAME: "Plain" });
    expect((await as(2)("app.info")).body.result).toMatchObject({ ID: 1, CODE: "local.pl", STATUS: "L", INSTALLED: true });
    expect((await restCall(emu.webhookUrl, "app.info")).body.error).toBe("WRONG_AUTH_TYPE");
  });

  it("REST answers browsers from other origins (preflight and Access-Control-Allow-Origin)", async () => {
    const pre = await fetch(`${emu.url}/rest/user.current`, {
      method: "OPTIONS",
      headers: { origin: "http://127.0.0.1:9", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("*");
    expect(pre.headers.get("access-control-allow-headers")).toBe("content-type");
    const r = await fetch(`${emu.url}/rest/user.current`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://127.0.0.1:9" },
      body: JSON.stringify({ auth: emu.issueOAuthTokens(1).access_token }),
    });
    expect(r.headers.get("access-control-allow-origin")).toBe("*");
    expect(((await r.json()) as { result: { ID: string } }).result.ID).toBe("1");
  });

  it("the portal page frames the app: iframe named DOMAIN|PROTOCOL|APP_SID, a POST with the placement parameters", async () => {
    const html = await (await fetch(`${emu.url}/_emulator/portal/app?user=2&lang=ru`)).text();
    const domain = new URL(emu.url).host;
    const frame = /<iframe name="([^"]+)"/.exec(html)![1]!;
    const [d, protocol, sid] = frame.split("|");
    expect([d, protocol]).toEqual([domain, "0"]);
    expect(sid).toMatch(/^[0-9a-f]{32}$/);
    const action = new URL(/<form method="post" action="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, "&"));
    expect(`${action.origin}${action.pathname}`).toBe("http://127.0.0.1:9/b24/app");
    expect(Object.fromEntries(action.searchParams)).toEqual({ DOMAIN: domain, PROTOCOL: "0", LANG: "ru", APP_SID: sid });
    const fields = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]!.replace(/&quot;/g, '"')]));
    expect(Object.keys(fields).sort()).toEqual(["AUTH_EXPIRES", "AUTH_ID", "PLACEMENT", "PLACEMENT_OPTIONS", "REFRESH_ID", "SERVER_ENDPOINT", "member_id", "status"]);
    expect(fields).toMatchObject({ PLACEMENT: "DEFAULT", PLACEMENT_OPTIONS: "{}", member_id: emu.memberId, status: "L", AUTH_EXPIRES: "3600" });
    // the frame token is the viewing user's
    expect((await restCall(emu.restUrl, "user.current", { auth: fields.AUTH_ID })).body.result.ID).toBe("2");
  });

  it("the call card page frames every CALL_CARD handler with the call's PLACEMENT_OPTIONS", async () => {
    expect((await as(1)("placement.bind", { PLACEMENT: "CALL_CARD", HANDLER, TITLE: "PBX" })).body.result).toBe(true);
    const reg = await restCall(emu.webhookUrl, "telephony.externalcall.register", { USER_ID: 2, PHONE_NUMBER: "+79001234567", TYPE: 2, LINE_NUMBER: "74951230000" });
    const callId = reg.body.result.CALL_ID as string;
    const html = await (await fetch(`${emu.url}/_emulator/portal/call-card?callId=${callId}&user=2`)).text();
    const options = /name="PLACEMENT_OPTIONS" value="([^"]*)"/.exec(html)![1]!.replace(/&quot;/g, '"');
    expect(JSON.parse(options)).toMatchObject({ CALL_ID: callId, PHONE_NUMBER: "+79001234567", CALL_DIRECTION: "incoming", CALL_LIST_MODE: false });
    expect(html).toContain('name="PLACEMENT" value="CALL_CARD"');
    expect((await fetch(`${emu.url}/_emulator/portal/call-card?callId=nope&user=2`)).status).toBe(404);
  });
});
