import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { restCall, startB24Emulator, type B24Emulator } from "../src/b24-emulator/index.js";

const T0 = Date.UTC(2026, 2, 7, 7, 20, 30);
const users = [
  { ID: 1, NAME: "Anna", UF_PHONE_INNER: "101" },
  { ID: 2, NAME: "Boris", UF_PHONE_INNER: "102", WORK_PHONE: "+74950000102" },
  { ID: 3, NAME: "Gone", UF_PHONE_INNER: "103", ACTIVE: false },
];
const contacts = [{ ID: 10, NAME: "Ivan", LAST_NAME: "Petrov", ASSIGNED_BY_ID: 2, PHONE: [{ VALUE: "+7 (900) 123-45-67", VALUE_TYPE: "WORK" }] }];
const leads = [{ ID: 20, TITLE: "Lead with phone", ASSIGNED_BY_ID: 1, PHONE: [{ VALUE: "84951112233", VALUE_TYPE: "WORK" }] }];

describe("b24 emulator: telephony.externalCall.*", () => {
  let t = T0;
  let emu: B24Emulator;
  const call = (m: string, p: Record<string, unknown>, enc: "json" | "form" = "json") => restCall(emu.webhookUrl, m, p, { encoding: enc });
  const register = (p: Record<string, unknown>) => call("telephony.externalcall.register", p);

  beforeAll(async () => {
    emu = await startB24Emulator({ webhook: { userId: 1, code: "tel" }, users, contacts, leads, limits: false, now: () => t });
  });
  afterAll(() => emu.close());
  beforeEach(() => {
    emu.reset();
    t = T0;
  });

  it('validates register in source order with the exact texts (HTTP 400, error "")', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ PHONE_NUMBER: "+79001234567", TYPE: 2 }, "USER_ID or USER_PHONE_INNER should be set"],
      [{ USER_PHONE_INNER: "999", PHONE_NUMBER: "+79001234567", TYPE: 2 }, "USER_ID or USER_PHONE_INNER should be set"],
      [{ USER_ID: 1, PHONE_NUMBER: "+79001234567", TYPE: 6 }, "Unknown TYPE"],
      [{ USER_ID: 1, PHONE_NUMBER: "+79001234567" }, "Unknown TYPE"],
      [{ USER_ID: 1, PHONE_NUMBER: "+79001234567", TYPE: "2abc" }, "Unknown TYPE"],
      [{ USER_ID: 1, PHONE_NUMBER: "+79001234567", TYPE: 2, CALL_START_DATE: "yesterday-ish" }, "CALL_START_DATE should be in the ISO-8601 format"],
      [{ USER_ID: 1, PHONE_NUMBER: "anonymous", TYPE: 2 }, "Unsupported phone number format"],
      [{ USER_ID: 3, PHONE_NUMBER: "+79001234567", TYPE: 2 }, "User is not found or is not active"],
      [{ USER_ID: 99, PHONE_NUMBER: "+79001234567", TYPE: 2 }, "User is not found or is not active"],
    ];
    for (const [params, text] of cases) {
      const r = await register(params);
      expect(r.status, text).toBe(400);
      expect(r.body).toEqual({ error: "", error_description: text });
    }
    expect(emu.calls()).toHaveLength(0);
  });

  it("resolves the user by UF_PHONE_INNER, accepts TYPE as a string and lenient dates, strips letters", async () => {
    const r = await register({ USER_PHONE_INNER: "102", PHONE_NUMBER: "tel:+7 900 123-45-67", TYPE: "2", CALL_START_DATE: "2026-03-07 10:20:30" });
    expect(r.status).toBe(200);
    expect(r.body.result.CALL_ID).toMatch(/^externalCall\.[0-9a-f]{32}\.\d+$/);
    expect(r.body.result.CALL_ID.split(".")[2]).toBe(String(Math.floor(T0 / 1000)));
    const rec = emu.call(r.body.result.CALL_ID)!;
    expect(rec.USER_ID).toBe(2);
    expect(rec.PHONE_NUMBER).toBe(":+7 900 123-45-67");
    expect(rec.direction).toBe("incoming");
    expect(rec.shows).toEqual([{ USER_ID: 2, at: T0 }]);
    // form-encoded: everything is a string
    const f = await call("telephony.externalcall.register", { USER_ID: "1", PHONE_NUMBER: "+74990000000", TYPE: "1", SHOW: "0" }, "form");
    expect(f.status).toBe(200);
    expect(emu.call(f.body.result.CALL_ID)!.shows).toEqual([]);
  });

  it("binds CRM by phone (contacts first, then leads), explicitly, or creates a lead with CRM_CREATE=1", async () => {
    const contact = await register({ USER_ID: 1, PHONE_NUMBER: "89001234567", TYPE: 2 });
    expect(contact.body.result).toMatchObject({ CRM_ENTITY_TYPE: "CONTACT", CRM_ENTITY_ID: 10, CRM_CREATED_LEAD: null, CRM_CREATED_ENTITIES: [] });
    const lead = await register({ USER_ID: 1, PHONE_NUMBER: "+7 495 111-22-33", TYPE: 2 });
    expect(lead.body.result).toMatchObject({ CRM_ENTITY_TYPE: "LEAD", CRM_ENTITY_ID: 20 });
    const none = await register({ USER_ID: 1, PHONE_NUMBER: "+15550001111", TYPE: 2 });
    expect(none.body.result).toEqual({ CALL_ID: expect.any(String), CRM_CREATED_LEAD: null, CRM_CREATED_ENTITIES: [], CRM_ENTITY_TYPE: "", CRM_ENTITY_ID: null });
    const created = await register({ USER_ID: 2, PHONE_NUMBER: "+15550002222", TYPE: 2, CRM_CREATE: 1 });
    const leadId = created.body.result.CRM_CREATED_LEAD as number;
    expect(leadId).toBeGreaterThan(20);
    expect(created.body.result).toMatchObject({ CRM_ENTITY_TYPE: "LEAD", CRM_ENTITY_ID: leadId, CRM_CREATED_ENTITIES: [{ ENTITY_TYPE: "LEAD", ENTITY_ID: leadId }] });
    const got = await call("crm.lead.get", { id: leadId });
    expect(got.body.result.ASSIGNED_BY_ID).toBe("2");
    const explicit = await register({ USER_ID: 1, PHONE_NUMBER: "+15550003333", TYPE: 1, CRM_ENTITY_TYPE: "CONTACT", CRM_ENTITY_ID: 10 });
    expect(explicit.body.result).toMatchObject({ CRM_ENTITY_TYPE: "CONTACT", CRM_ENTITY_ID: 10 });
    // internal call (number = an employee's extension): CRM off, no lead even with CRM_CREATE
    const internal = await register({ USER_ID: 1, PHONE_NUMBER: "102", TYPE: 1, CRM_CREATE: 1 });
    expect(internal.body.result.CRM_CREATED_LEAD).toBeNull();
  });

  it("auto-creates LINE_NUMBER lines (trimmed, 50 chars) for the caller's app", async () => {
    await register({ USER_ID: 1, PHONE_NUMBER: "+79001234567", TYPE: 2, LINE_NUMBER: "  74951230000  " });
    const lines = await call("telephony.externalline.get", {});
    expect(lines.body.result).toEqual([{ NUMBER: "74951230000", NAME: "", CRM_AUTO_CREATE: "Y" }]);
  });

  it("de-duplicates within 30 minutes on USER_ID+number+TYPE(+line)(+EXTERNAL_CALL_ID)", async () => {
    const base = { USER_ID: 1, PHONE_NUMBER: "+79001234567", TYPE: 2, LINE_NUMBER: "100" };
    const a = (await register(base)).body.result.CALL_ID;
    t += 10 * 60_000;
    const dup = await register({ ...base, PHONE_NUMBER: "8 900 123 45 67" });
    expect(dup.body.result.CALL_ID).toBe(a);
    expect(dup.body.result.CRM_CREATED_ENTITIES).toEqual([]);
    expect((await register({ ...base, TYPE: 3 })).body.result.CALL_ID).not.toBe(a);
    expect((await register({ ...base, USER_ID: 2 })).body.result.CALL_ID).not.toBe(a);
    expect((await register({ ...base, LINE_NUMBER: "200" })).body.result.CALL_ID).not.toBe(a);
    const { LINE_NUMBER: _l, ...noLine } = base;
    expect((await register(noLine)).body.result.CALL_ID).toBe(a); // line not given → not part of the key
    // EXTERNAL_CALL_ID separates overlapping calls from one number
    const x1 = (await register({ ...base, PHONE_NUMBER: "+79005550000", EXTERNAL_CALL_ID: "pbx-1" })).body.result.CALL_ID;
    const x2 = (await register({ ...base, PHONE_NUMBER: "+79005550000", EXTERNAL_CALL_ID: "pbx-2" })).body.result.CALL_ID;
    const x1again = (await register({ ...base, PHONE_NUMBER: "+79005550000", EXTERNAL_CALL_ID: "pbx-1" })).body.result.CALL_ID;
    expect(x2).not.toBe(x1);
    expect(x1again).toBe(x1);
    expect(emu.call(a)!.reRegistrations).toBe(2);
    // after 30 minutes: a new call
    t += 21 * 60_000;
    expect((await register(base)).body.result.CALL_ID).not.toBe(a);
    // a back-dated start (> 30 min ago) never de-duplicates
    const old = { ...base, PHONE_NUMBER: "+79007770000", CALL_START_DATE: new Date(t - 45 * 60_000).toISOString() };
    const o1 = (await register(old)).body.result.CALL_ID;
    expect((await register(old)).body.result.CALL_ID).not.toBe(o1);
    expect(emu.stats().callsDeduplicated).toBe(3);
  });

  it("dedupByExternalCallId false (an older portal): EXTERNAL_CALL_ID does not separate overlapping calls", async () => {
    const old = await startB24Emulator({ webhook: { userId: 1, code: "old" }, users, limits: false, now: () => t, dedupByExternalCallId: false });
    try {
      const base = { USER_ID: 1, PHONE_NUMBER: "+79005550000", TYPE: 2, LINE_NUMBER: "100" };
      const reg = async (p: Record<string, unknown>) => (await restCall(old.webhookUrl, "telephony.externalcall.register", p)).body.result.CALL_ID as string;
      const x1 = await reg({ ...base, EXTERNAL_CALL_ID: "pbx-1" });
      const x2 = await reg({ ...base, EXTERNAL_CALL_ID: "pbx-2" });
      expect(x2).toBe(x1);
      expect(old.call(x1)!.EXTERNAL_CALL_ID).toBe("pbx-1");
      expect(old.stats().callsDeduplicated).toBe(1);
      // once the first is finished, the same register creates a new call
      await restCall(old.webhookUrl, "telephony.externalcall.finish", { CALL_ID: x1, USER_ID: 1, DURATION: 5 });
      expect(await reg({ ...base, EXTERNAL_CALL_ID: "pbx-2" })).not.toBe(x1);
    } finally {
      await old.close();
    }
  });

  it("overlapping calls from one number share a CALL_ID and the second finish fails (issue #175)", async () => {
    const base = { USER_ID: 1, PHONE_NUMBER: "+79001234567", TYPE: 2 };
    const a = (await register(base)).body.result.CALL_ID;
    const b = (await register(base)).body.result.CALL_ID;
    expect(b).toBe(a);
    expect((await call("telephony.externalcall.finish", { CALL_ID: a, USER_ID: 1, DURATION: 5 })).status).toBe(200);
    const second = await call("telephony.externalcall.finish", { CALL_ID: b, USER_ID: 1, DURATION: 5 });
    expect(second.status).toBe(400);
    expect(second.body).toEqual({ error: "", error_description: "Call is not found (call should be registered prior to finishing" });
  });

  it("finish: defaults, statistics row, activity VI_<CALL_ID>, active call removed, show/hide false afterwards", async () => {
    const reg = await register({ USER_ID: 2, PHONE_NUMBER: "+79001234567", TYPE: 2, LINE_NUMBER: "74951230000" });
    const id = reg.body.result.CALL_ID as string;
    expect((await call("telephony.externalcall.show", { CALL_ID: id, USER_ID: [1, 2] })).body.result).toBe(true);
    expect((await call("telephony.externalcall.hide", { CALL_ID: id, USER_ID: 1 })).body.result).toBe(true);

    expect((await call("telephony.externalcall.finish", { CALL_ID: 12345, USER_ID: 1 })).body).toEqual({
      error: "INVALID_ARGUMENT",
      error_description: "CALL_ID must be a string",
    });
    expect((await call("telephony.externalcall.finish", { CALL_ID: id })).body.error_description).toBe("USER_ID or USER_PHONE_INNER should be set");
    expect((await call("telephony.externalcall.finish", { CALL_ID: id, USER_ID: 3 })).body.error_description).toBe("User is not found or is not active");

    const fin = await call("telephony.externalcall.finish", { CALL_ID: id, USER_ID: 1, DURATION: 95, VOTE: 5 });
    expect(fin.status).toBe(200);
    expect(fin.body.result).toMatchObject({
      CALL_ID: id,
      EXTERNAL_CALL_ID: null,
      PORTAL_USER_ID: 1,
      PHONE_NUMBER: "+79001234567",
      PORTAL_NUMBER: "74951230000",
      INCOMING: "2",
      CALL_DURATION: 95,
      CALL_START_DATE: {},
      CALL_STATUS: 1,
      CALL_VOTE: 5,
      COST: 0,
      COST_CURRENCY: "",
      CALL_FAILED_CODE: "200",
      CALL_FAILED_REASON: "",
      REST_APP_NAME: false,
      COMMENT: null,
      CRM_ENTITY_TYPE: "CONTACT",
      CRM_ENTITY_ID: 10,
    });
    const activityId = fin.body.result.CRM_ACTIVITY_ID as number;
    const act = await call("crm.activity.get", { id: activityId });
    expect(act.body.result).toMatchObject({
      TYPE_ID: "2",
      PROVIDER_ID: "VOXIMPLANT_CALL",
      PROVIDER_TYPE_ID: "CALL",
      ORIGIN_ID: `VI_${id}`,
      RESPONSIBLE_ID: "1",
      DIRECTION: "1",
      COMPLETED: "Y",
      OWNER_TYPE_ID: "3",
      OWNER_ID: "10",
    });
    const list = await call("crm.activity.list", { filter: { ORIGIN_ID: `VI_${id}` } });
    expect(list.body.result.map((a: { ID: string }) => a.ID)).toEqual([String(activityId)]);

    expect((await call("telephony.externalcall.show", { CALL_ID: id })).body.result).toBe(false);
    expect((await call("telephony.externalcall.hide", { CALL_ID: id })).body.result).toBe(false);
    const rec = emu.call(id)!;
    expect(rec.finish?.result["CALL_DURATION"]).toBe(95);
    expect(rec.hides.map((h) => h.USER_ID).sort()).toEqual([1, 2]);
    expect(rec.activity?.["ORIGIN_ID"]).toBe(`VI_${id}`);

    // missed (DURATION 0 → 304, CALL_STATUS 0, activity not completed)
    const m = (await register({ USER_ID: 1, PHONE_NUMBER: "+79001234567", TYPE: 2 })).body.result.CALL_ID;
    const missed = await call("telephony.externalcall.finish", { CALL_ID: m, USER_ID: 1 });
    expect(missed.body.result).toMatchObject({ CALL_FAILED_CODE: "304", CALL_STATUS: 0, CALL_DURATION: 0, PORTAL_NUMBER: "REST_APP:" });
    const ma = await call("crm.activity.get", { id: missed.body.result.CRM_ACTIVITY_ID });
    expect(ma.body.result.COMPLETED).toBe("N");
  });

  it("finish re-assigns a lead auto-created by the call to the finishing user", async () => {
    const reg = await register({ USER_ID: 1, PHONE_NUMBER: "+15550009999", TYPE: 2, CRM_CREATE: 1 });
    const leadId = reg.body.result.CRM_CREATED_LEAD;
    await call("telephony.externalcall.finish", { CALL_ID: reg.body.result.CALL_ID, USER_ID: 2, DURATION: 3 });
    expect((await call("crm.lead.get", { id: leadId })).body.result.ASSIGNED_BY_ID).toBe("2");
  });

  it("attachRecord: only after finish; FILE_CONTENT checks; wav/mp3 only; replaces the previous record", async () => {
    const id = (await register({ USER_ID: 1, PHONE_NUMBER: "+79001234567", TYPE: 2 })).body.result.CALL_ID;
    const wav = Buffer.from("RIFF....WAVEfmt fake").toString("base64");
    const early = await call("telephony.externalcall.attachrecord", { CALL_ID: id, FILENAME: "a.wav", FILE_CONTENT: wav });
    expect(early.body).toEqual({ error: "", error_description: "Call is not found in the statistic table. Looks like it is not finished yet." });
    await call("telephony.externalcall.finish", { CALL_ID: id, USER_ID: 1, DURATION: 10 });
    const errs: Array<[Record<string, unknown>, string]> = [
      [{}, "Required parameters are not set. Request should contain or URL or FILENAME parameter"],
      [{ FILENAME: "" }, "File name is empty"],
      [{ FILENAME: "a.ogg", FILE_CONTENT: wav }, "Wrong file extension. Only wav and mp3 are allowed"],
      [{ FILENAME: "a.wav", FILE_CONTENT: "" }, "File content is empty."],
      [{ FILENAME: "a.wav", FILE_CONTENT: "false" }, "File content is empty."],
      [{ FILENAME: "a.wav", FILE_CONTENT: "%%%not base64%%%" }, "File content is not properly encoded. Base64 encoding is expected."],
    ];
    for (const [p, text] of errs) {
      const r = await call("telephony.externalcall.attachrecord", { CALL_ID: id, ...p });
      expect(r.status, text).toBe(400);
      expect(r.body.error_description).toBe(text);
    }
    const ok = await call("telephony.externalcall.attachrecord", { CALL_ID: id, FILENAME: "rec.wav", FILE_CONTENT: wav });
    expect(ok.status).toBe(200);
    expect(ok.body.result).toEqual({ FILE_ID: expect.any(Number) });
    const again = await call("telephony.externalcall.attachrecord", { CALL_ID: id, FILENAME: "rec2.mp3", FILE_CONTENT: wav });
    expect(again.body.result.FILE_ID).not.toBe(ok.body.result.FILE_ID);
    expect(emu.file(ok.body.result.FILE_ID)).toBeUndefined();
    expect(emu.file(again.body.result.FILE_ID)?.content.toString()).toBe("RIFF....WAVEfmt fake");
    const rec = emu.call(id)!;
    expect(rec.records.map((r) => r.name)).toEqual(["rec.wav", "rec2.mp3"]);
    const activityId = rec.finish!.result["CRM_ACTIVITY_ID"];
    const act = await call("crm.activity.get", { id: activityId });
    expect(act.body.result.STORAGE_ELEMENT_IDS).toEqual([again.body.result.FILE_ID]);
  });

  it("attachRecord: RECORD_URL is downloaded by the portal; HTTP errors are reported", async () => {
    const media: Server = createServer((req, res) => {
      if (req.url === "/rec/call-1.mp3") {
        res.writeHead(200, { "content-type": "audio/mpeg" });
        res.end(Buffer.from("ID3fake-mp3"));
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => media.listen(0, "127.0.0.1", () => r()));
    const base = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
    try {
      const id = (await register({ USER_ID: 1, PHONE_NUMBER: "+79001234567", TYPE: 2 })).body.result.CALL_ID;
      await call("telephony.externalcall.finish", { CALL_ID: id, USER_ID: 1, DURATION: 10 });
      const missing = await call("telephony.externalcall.attachrecord", { CALL_ID: id, RECORD_URL: `${base}/nope.mp3` });
      expect(missing.body).toEqual({ error: "", error_description: "Server returns HTTP error code 404" });
      const ok = await call("telephony.externalcall.attachrecord", { CALL_ID: id, RECORD_URL: `${base}/rec/call-1.mp3` });
      expect(ok.status).toBe(200);
      const rec = emu.call(id)!.records[0]!;
      expect(rec).toMatchObject({ name: "call-1.mp3", via: "url", size: 11 });
      const dl = await fetch(rec.downloadUrl);
      expect(Buffer.from(await dl.arrayBuffer()).toString()).toBe("ID3fake-mp3");
    } finally {
      await new Promise((r) => media.close(r));
    }
  });

  it("attachRecord: FILENAME without content gives uploadUrl + fieldName, then multipart upload", async () => {
    const id = (await register({ USER_ID: 1, PHONE_NUMBER: "+79001234567", TYPE: 2 })).body.result.CALL_ID;
    await call("telephony.externalcall.finish", { CALL_ID: id, USER_ID: 1, DURATION: 10 });
    const r = await call("telephony.externalcall.attachrecord", { CALL_ID: id, FILENAME: "long.mp3" });
    expect(r.body.result).toEqual({ uploadUrl: expect.stringContaining(`${emu.url}/rest/upload.json?auth=`), fieldName: "file" });
    expect(r.body.result.uploadUrl).toContain("token=telephony%7C");
    const form = new FormData();
    form.append("file", new Blob([Buffer.from("ID3-uploaded")], { type: "audio/mpeg" }), "long.mp3");
    const up = await fetch(r.body.result.uploadUrl, { method: "POST", body: form });
    expect(up.status).toBe(200);
    const body = (await up.json()) as { result: { FILE_ID: number } };
    expect(emu.file(body.result.FILE_ID)?.content.toString()).toBe("ID3-uploaded");
    expect(emu.call(id)!.records[0]).toMatchObject({ via: "upload", name: "long.mp3" });
    // the token is single-use
    const reuse = await fetch(r.body.result.uploadUrl, { method: "POST", body: form });
    expect(reuse.status).toBe(400);
  });

  it("searchCrmEntities returns contacts then leads with ASSIGNED_BY details", async () => {
    expect((await call("telephony.externalcall.searchcrmentities", {})).body.error_description).toBe("PHONE_NUMBER is empty");
    const r = await call("telephony.externalCall.searchCrmEntities", { PHONE_NUMBER: "+79001234567" });
    expect(r.body.result).toEqual([
      {
        CRM_ENTITY_TYPE: "CONTACT",
        CRM_ENTITY_ID: 10,
        ASSIGNED_BY_ID: 2,
        NAME: "Ivan Petrov",
        ASSIGNED_BY: { ID: 2, TIMEMAN_STATUS: "UNAVAILABLE", USER_PHONE_INNER: "102", WORK_PHONE: "+74950000102", PERSONAL_PHONE: "", PERSONAL_MOBILE: "" },
      },
    ]);
  });

  it("externalLine add/update/delete/get with their errors", async () => {
    const L = (m: string, p: Record<string, unknown>) => call(`telephony.externalLine.${m}`, p);
    expect((await L("add", { NUMBER: " " })).body.error_description).toBe("NUMBER should not be empty");
    const add = await L("add", { NUMBER: "74951230000", NAME: "Main", CRM_AUTO_CREATE: "N" });
    expect(add.body.result).toEqual({ ID: expect.any(Number) });
    expect((await L("add", { NUMBER: "74951230000" })).body.error_description).toBe("Line already exists");
    expect((await L("update", { NUMBER: "" })).body.error_description).toBe("There are no fields to update");
    expect((await L("update", { NUMBER: "", NAME: "x" })).body.error_description).toBe("NUMBER should not be empty");
    expect((await L("update", { NUMBER: "1", NAME: "x" })).body.error_description).toBe("Could not find line with number 1");
    expect((await L("update", { NUMBER: "74951230000", NAME: "Sales" })).body.result).toEqual({ ID: String(add.body.result.ID) });
    expect((await L("get", {})).body.result).toEqual([{ NUMBER: "74951230000", NAME: "Sales", CRM_AUTO_CREATE: "N" }]);
    expect((await L("delete", { NUMBER: "74951230000" })).body.result).toEqual([]);
    expect((await L("delete", { NUMBER: "74951230000" })).body.error_description).toBe("Could not find line with number 74951230000");
  });
});

describe("b24 emulator: businessErrorCode = ERROR_CORE (docs variant)", () => {
  it("labels business errors ERROR_CORE", async () => {
    const emu = await startB24Emulator({ webhook: { userId: 1, code: "c" }, users, businessErrorCode: "ERROR_CORE" });
    try {
      const r = await restCall(emu.webhookUrl, "telephony.externalcall.register", { USER_ID: 1, PHONE_NUMBER: "+7900", TYPE: 9 });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ error: "ERROR_CORE", error_description: "Unknown TYPE" });
    } finally {
      await emu.close();
    }
  });
});
