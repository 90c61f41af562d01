import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { restCall, startB24Emulator, type B24Emulator } from "../src/b24-emulator/index.js";

const T0 = Date.UTC(2026, 2, 7, 7, 0, 0);
const users = [
  { ID: 1, NAME: "Anna", UF_PHONE_INNER: "101" },
  { ID: 2, NAME: "Boris", UF_PHONE_INNER: "102" },
];
const contacts = [{ ID: 10, NAME: "Ivan", ASSIGNED_BY_ID: 2, PHONE: [{ VALUE: "+79001234567", VALUE_TYPE: "WORK" }] }];

describe("b24 emulator: voximplant.statistic.get", () => {
  let emu: B24Emulator;
  const call = (m: string, p: Record<string, unknown>) => restCall(emu.webhookUrl, m, p);

  /** Registers and finishes one call starting `minutes` after T0. */
  async function finished(minutes: number, ext: string, user = 1, duration = 30): Promise<string> {
    const start = new Date(T0 + minutes * 60_000).toISOString();
    const reg = await call("telephony.externalcall.register", { USER_ID: user, PHONE_NUMBER: "+79001234567", TYPE: 2, CALL_START_DATE: start, EXTERNAL_CALL_ID: ext, SHOW: 0 });
    expect(reg.status).toBe(200);
    const fin = await call("telephony.externalcall.finish", { CALL_ID: reg.body.result.CALL_ID, USER_ID: user, DURATION: duration });
    expect(fin.status).toBe(200);
    return reg.body.result.CALL_ID as string;
  }

  beforeAll(async () => {
    emu = await startB24Emulator({ webhook: { userId: 1, code: "st" }, users, contacts, limits: false, now: () => T0 + 10 * 24 * 3600_000 });
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.reset());

  it("filters by CALL_START_DATE range and EXTERNAL_CALL_ID, with the statistics fields", async () => {
    const a = await finished(0, "1700000000.1");
    await finished(60, "1700000000.2", 2, 0);
    await finished(180, "1700000000.3");
    const r = await call("voximplant.statistic.get", {
      FILTER: { ">=CALL_START_DATE": new Date(T0 - 1000).toISOString(), "<CALL_START_DATE": new Date(T0 + 120 * 60_000).toISOString() },
      SORT: "CALL_START_DATE",
      ORDER: "ASC",
    });
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(2);
    expect(r.body.result.map((x: { EXTERNAL_CALL_ID: string }) => x.EXTERNAL_CALL_ID)).toEqual(["1700000000.1", "1700000000.2"]);
    const first = r.body.result[0];
    expect(first).toMatchObject({ CALL_ID: a, PORTAL_USER_ID: "1", CALL_DURATION: "30", CALL_FAILED_CODE: "200", CALL_TYPE: "2", RECORD_FILE_ID: null, CALL_RECORD_URL: "" });
    expect(first.CALL_START_DATE).toMatch(/^2026-03-07T\d\d:00:00[+-]\d\d:\d\d$/);
    expect(Number(first.CRM_ACTIVITY_ID)).toBeGreaterThan(0);
    expect(r.body.result[1]).toMatchObject({ PORTAL_USER_ID: "2", CALL_FAILED_CODE: "304" });

    const one = await call("voximplant.statistic.get", { FILTER: { EXTERNAL_CALL_ID: "1700000000.3" } });
    expect(one.body.total).toBe(1);
    expect(one.body.result[0].EXTERNAL_CALL_ID).toBe("1700000000.3");
    const none = await call("voximplant.statistic.get", { FILTER: { EXTERNAL_CALL_ID: "nope" } });
    expect(none.body).toMatchObject({ result: [], total: 0 });
  });

  it("shows the record once attached, pages by 50 with start/next, sorts DESC and rejects unknown fields", async () => {
    const callId = await finished(0, "k0");
    for (let i = 1; i < 55; i++) await finished(i, `k${i}`);
    const att = await call("telephony.externalcall.attachrecord", { CALL_ID: callId, FILENAME: "a.mp3", FILE_CONTENT: Buffer.from("ID3 fake").toString("base64") });
    expect(att.status).toBe(200);
    const p1 = await call("voximplant.statistic.get", { SORT: "CALL_START_DATE", ORDER: "DESC" });
    expect(p1.body.total).toBe(55);
    expect(p1.body.result).toHaveLength(50);
    expect(p1.body.next).toBe(50);
    expect(p1.body.result[0].EXTERNAL_CALL_ID).toBe("k54");
    const p2 = await call("voximplant.statistic.get", { SORT: "CALL_START_DATE", ORDER: "DESC", start: 50 });
    expect(p2.body.result).toHaveLength(5);
    expect(p2.body.next).toBeUndefined();
    const last = p2.body.result[4];
    expect(last.EXTERNAL_CALL_ID).toBe("k0");
    expect(last.RECORD_FILE_ID).toBe(String(att.body.result.FILE_ID));
    expect(last.CALL_RECORD_URL).toContain(`/_emulator/files/${att.body.result.FILE_ID}`);
    const bad = await call("voximplant.statistic.get", { FILTER: { NOPE: 1 } });
    expect(bad.status).toBe(400);
    const badDate = await call("voximplant.statistic.get", { FILTER: { ">CALL_START_DATE": "soon" } });
    expect(badDate.status).toBe(400);
  });
});
