import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parsePhpQuery, restCall, startB24Emulator, type B24Emulator } from "../src/b24-emulator/index.js";

interface Received {
  contentType: string | undefined;
  raw: string;
  form: Record<string, unknown>;
}

describe("b24 emulator: events", () => {
  let emu: B24Emulator;
  let hook: Server;
  let hookUrl: string;
  const received: Received[] = [];
  let token: string;
  const app = (m: string, p: Record<string, unknown> = {}) => restCall(emu.restUrl, m, { ...p, auth: token });

  beforeAll(async () => {
    hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        received.push({ contentType: req.headers["content-type"], raw, form: parsePhpQuery(raw) });
        res.end("ok");
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", () => r()));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/b24/events`;
    emu = await startB24Emulator({
      webhook: { userId: 1, code: "ev" },
      oauth: { clientId: "local.x", clientSecret: "y", applicationToken: "apptoken123" },
      users: [
        { ID: 1, NAME: "Admin", UF_PHONE_INNER: "101" },
        { ID: 2, NAME: "Plain", UF_PHONE_INNER: "102" },
      ],
      contacts: [{ ID: 7, NAME: "Client", ASSIGNED_BY_ID: 1, PHONE: [{ VALUE: "+79001234567", VALUE_TYPE: "WORK" }] }],
      limits: false,
    });
  });
  afterAll(async () => {
    await emu.close();
    await new Promise((r) => hook.close(r));
  });
  beforeEach(() => {
    emu.reset();
    received.length = 0;
    token = emu.issueOAuthTokens().access_token;
  });

  it("binds online handlers with the documented errors", async () => {
    expect((await app("event.bind", { event: "OnExternalCallStart", handler: hookUrl })).body.result).toBe(true);
    const dup = await app("event.bind", { event: "ONEXTERNALCALLSTART", handler: hookUrl });
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ error: "ERROR_HANDLER_ALREADY_EXIST", error_description: "Handler already exists!" });
    const unknown = await app("event.bind", { event: "OnSomethingElse", handler: hookUrl });
    expect(unknown.body).toEqual({ error: "ERROR_EVENT_NOT_FOUND", error_description: "Event not found" });
    expect((await app("event.get")).body.result).toEqual([{ event: "ONEXTERNALCALLSTART", handler: hookUrl, auth_type: "0", offline: 0 }]);
  });

  it("click-to-call: the portal registers TYPE 1 itself and POSTs OnExternalCallStart form-encoded with application_token", async () => {
    await app("telephony.externalLine.add", { NUMBER: "74951230000", NAME: "Main" });
    await app("event.bind", { event: "ONEXTERNALCALLSTART", handler: hookUrl });
    const callId = await emu.startClickToCall({ USER_ID: 1, PHONE_NUMBER: "+79001234567", LINE_NUMBER: "74951230000" });
    expect(callId).toMatch(/^externalCall\.[0-9a-f]{32}\.\d+$/);
    expect(received).toHaveLength(1);
    const ev = received[0]!;
    expect(ev.contentType).toBe("application/x-www-form-urlencoded");
    expect(ev.raw).toContain("data%5BCALL_ID%5D=");
    expect(ev.form).toMatchObject({
      event: "ONEXTERNALCALLSTART",
      data: {
        PHONE_NUMBER: "+79001234567",
        PHONE_NUMBER_INTERNATIONAL: "+79001234567",
        EXTENSION: "",
        USER_ID: "1",
        CALL_LIST_ID: "0",
        LINE_NUMBER: "74951230000",
        IS_MOBILE: "0",
        CALL_ID: callId,
        CRM_ENTITY_TYPE: "CONTACT",
        CRM_ENTITY_ID: "7",
      },
      auth: { application_token: "apptoken123", member_id: emu.memberId, domain: new URL(emu.url).host },
    });
    expect(typeof (ev.form["event_handler_id"] as string)).toBe("string");
    expect(ev.form["ts"]).toMatch(/^\d+$/);
    const rec = emu.call(callId)!;
    expect(rec).toMatchObject({ TYPE: 1, direction: "outgoing", registeredBy: "portal", clickToCall: true, LINE_NUMBER: "74951230000" });
    // the handler must not register again; it finishes the portal's CALL_ID
    const fin = await app("telephony.externalcall.finish", { CALL_ID: callId, USER_ID: 1, DURATION: 30 });
    expect(fin.status).toBe(200);
    expect(fin.body.result.REST_APP_ID).toBe("1");
    expect(fin.body.result.REST_APP_NAME).toBe("Asterisk connector");
    await expect(emu.startClickToCall({ USER_ID: 1, PHONE_NUMBER: "+7900", LINE_NUMBER: "nope" })).rejects.toThrow(/LINE_NOT_FOUND/);
  });

  it("fires OnExternalCallBackStart at a bound handler and records delivery", async () => {
    await app("event.bind", { event: "ONEXTERNALCALLBACKSTART", handler: hookUrl });
    const res = await emu.fireEvent("ONEXTERNALCALLBACKSTART", { PHONE_NUMBER: "+79001234567", TEXT: "Call me", VOICE: "ruinternalfemale", LINE_NUMBER: "74951230000" });
    expect(res).toHaveLength(1);
    expect(res[0]).toMatchObject({ status: 200, offline: false });
    expect(received[0]?.form["data"]).toEqual({ PHONE_NUMBER: "+79001234567", TEXT: "Call me", VOICE: "ruinternalfemale", LINE_NUMBER: "74951230000" });
    expect(emu.stats().eventsDelivered).toBe(1);
  });

  it("queues offline events for event.offline.get (clear, process_id, event.offline.clear); admin only", async () => {
    expect((await app("event.bind", { event: "ONEXTERNALCALLSTART", event_type: "offline" })).body.result).toBe(true);
    await emu.fireEvent("ONEXTERNALCALLSTART", { CALL_ID: "externalCall.a.1", USER_ID: 1 });
    expect(received).toHaveLength(0);
    const keep = await app("event.offline.get", { clear: 0 });
    expect(keep.body.result.process_id).toEqual(expect.any(String));
    expect(keep.body.result.events).toHaveLength(1);
    expect(keep.body.result.events[0]).toMatchObject({ EVENT_NAME: "ONEXTERNALCALLSTART", EVENT_DATA: { CALL_ID: "externalCall.a.1", USER_ID: 1 } });
    expect((await app("event.offline.get")).body.result.events).toHaveLength(0); // taken by the process
    expect((await app("event.offline.clear", { process_id: keep.body.result.process_id })).body.result).toBe(true);
    await emu.fireEvent("ONEXTERNALCALLSTART", { CALL_ID: "externalCall.b.2" });
    const take = await app("event.offline.get");
    expect(take.body.result.events.map((e: { EVENT_DATA: { CALL_ID: string } }) => e.EVENT_DATA.CALL_ID)).toEqual(["externalCall.b.2"]);
    expect((await app("event.offline.get")).body.result.events).toHaveLength(0);
    // non-admin
    const plain = emu.issueOAuthTokens(2).access_token;
    const denied = await restCall(emu.restUrl, "event.offline.get", { auth: plain });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toBe("ACCESS_DENIED");
    expect(emu.stats().eventsQueued).toBe(2);
  });

  it("is reachable over the inspection API (POST /_emulator/click-to-call and /events)", async () => {
    await app("event.bind", { event: "ONEXTERNALCALLSTART", handler: hookUrl });
    const r = await fetch(`${emu.url}/_emulator/click-to-call`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ USER_ID: 2, PHONE_NUMBER: "+15550001111", LINE_NUMBER: "" }),
    });
    const { CALL_ID } = (await r.json()) as { CALL_ID: string };
    expect(received[0]?.form["data"]).toMatchObject({ CALL_ID, USER_ID: "2", LINE_NUMBER: "" });
    const calls = (await (await fetch(`${emu.url}/_emulator/calls`)).json()) as Array<{ CALL_ID: string }>;
    expect(calls.map((c) => c.CALL_ID)).toEqual([CALL_ID]);
  });
});

describe("b24 emulator: events via webhook when allowed", () => {
  it("binds with a webhook (webhookAllowedForEvents) and sends the webhook auth block", async () => {
    const got: Record<string, unknown>[] = [];
    const hook = createServer((req, res) => {
      let raw = "";
      req.on("data", (c: Buffer) => (raw += c.toString()));
      req.on("end", () => {
        got.push(parsePhpQuery(raw));
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", () => r()));
    const emu = await startB24Emulator({
      webhook: { userId: 1, code: "w" },
      users: [{ ID: 1, NAME: "Admin" }],
      webhookAllowedForEvents: true,
    });
    try {
      const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/h`;
      expect((await restCall(emu.webhookUrl, "event.bind", { event: "ONEXTERNALCALLBACKSTART", handler: url })).body.result).toBe(true);
      await emu.fireEvent("ONEXTERNALCALLBACKSTART", { PHONE_NUMBER: "+7900" });
      expect(got).toHaveLength(1);
      const auth = got[0]!["auth"] as Record<string, string>;
      expect(auth["application_token"]).toBe(emu.applicationToken);
      expect(auth["access_token"]).toBeUndefined();
    } finally {
      await emu.close();
      await new Promise((r) => hook.close(r));
    }
  });
});
