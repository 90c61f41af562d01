import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { restCall, startB24Emulator, type B24Emulator } from "../src/b24-emulator/index.js";

const users = Array.from({ length: 120 }, (_, i) => ({
  ID: i + 1,
  NAME: `User${i + 1}`,
  LAST_NAME: i % 2 ? "Odd" : "Even",
  UF_PHONE_INNER: String(100 + i + 1),
  ACTIVE: i < 100,
}));

describe("b24 emulator: user.get", () => {
  let emu: B24Emulator;
  const get = (p: Record<string, unknown>, enc: "json" | "form" | "get" = "json") => restCall(emu.webhookUrl, "user.get", p, { encoding: enc });
  beforeAll(async () => {
    emu = await startB24Emulator({ webhook: { userId: 1, code: "u" }, users, limits: false });
  });
  afterAll(() => emu.close());

  it("pages by 50 with start / next / total", async () => {
    const p1 = await get({});
    expect(p1.body.result).toHaveLength(50);
    expect(p1.body).toMatchObject({ next: 50, total: 120 });
    const p3 = await get({ start: 100 });
    expect(p3.body.result).toHaveLength(20);
    expect(p3.body.next).toBeUndefined();
    expect(p3.body.total).toBe(120);
    const nocount = await get({ start: -1 });
    expect(nocount.body.total).toBeUndefined();
    expect(nocount.body.result).toHaveLength(50);
  });

  it("filters by UF_PHONE_INNER, ACTIVE (bool or Y/N, strings in forms) and prefixes", async () => {
    const one = await get({ FILTER: { UF_PHONE_INNER: "101", ACTIVE: true } }, "get");
    expect(one.body.result.map((u: { ID: string }) => u.ID)).toEqual(["1"]);
    expect(one.body.result[0]).toMatchObject({ ID: "1", ACTIVE: true, UF_PHONE_INNER: "101", NAME: "User1" });
    expect((await get({ FILTER: { UF_PHONE_INNER: "201", ACTIVE: true } })).body.total).toBe(0);
    expect((await get({ FILTER: { ACTIVE: "N" } }, "form")).body.total).toBe(20);
    expect((await get({ filter: { ACTIVE: false } })).body.total).toBe(20);
    expect((await get({ FILTER: { ">ID": 110 } })).body.total).toBe(10);
    expect((await get({ FILTER: { "@ID": [1, 2, 3], "!LAST_NAME": "Odd" } })).body.result.map((u: { ID: string }) => u.ID)).toEqual(["1", "3"]);
    expect((await get({ FILTER: { "%NAME": "user11" } })).body.total).toBe(11); // User11, User110..119
    const desc = await get({ sort: "ID", order: "DESC" });
    expect(desc.body.result[0].ID).toBe("120");
  });
});

describe("b24 emulator: CRM, tasks, notifications", () => {
  let emu: B24Emulator;
  const call = (m: string, p: Record<string, unknown> = {}) => restCall(emu.webhookUrl, m, p);
  beforeAll(async () => {
    emu = await startB24Emulator({
      webhook: { userId: 1, code: "c" },
      users: [
        { ID: 1, NAME: "Anna" },
        { ID: 2, NAME: "Boris" },
      ],
      contacts: [{ ID: 3, NAME: "Olga", LAST_NAME: "K", ASSIGNED_BY_ID: 1, PHONE: [{ VALUE: "+79001112233", VALUE_TYPE: "MOBILE" }] }],
      leads: [{ ID: 4, TITLE: "Web lead", ASSIGNED_BY_ID: 2, PHONE: [{ VALUE: "8 (900) 111-22-33", VALUE_TYPE: "WORK" }] }],
      limits: false,
    });
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.reset());

  it("crm.contact add / get / list (PHONE only when selected) / update with multifields", async () => {
    const add = await call("crm.contact.add", { fields: { NAME: "Petr", ASSIGNED_BY_ID: 2, PHONE: [{ VALUE: "+74950001122", VALUE_TYPE: "WORK" }] } });
    const id = add.body.result as number;
    expect(id).toBe(4); // contacts have their own id sequence
    const got = await call("crm.contact.get", { id });
    expect(got.body.result).toMatchObject({ ID: "4", NAME: "Petr", ASSIGNED_BY_ID: "2", HAS_PHONE: "Y" });
    expect(got.body.result.PHONE).toEqual([{ ID: expect.any(String), VALUE_TYPE: "WORK", VALUE: "+74950001122", TYPE_ID: "PHONE" }]);
    const list = await call("crm.contact.list", { filter: { PHONE: "+74950001122" } });
    expect(list.body.result).toHaveLength(1);
    expect(list.body.result[0].PHONE).toBeUndefined();
    const withPhone = await call("crm.contact.list", { filter: { ASSIGNED_BY_ID: 1 }, select: ["ID", "NAME", "PHONE"] });
    expect(withPhone.body.result).toEqual([{ ID: "3", NAME: "Olga", PHONE: [expect.objectContaining({ VALUE: "+79001112233" })] }]);
    expect(withPhone.body.total).toBe(1);
    const phoneId = got.body.result.PHONE[0].ID;
    expect(
      (
        await call("crm.contact.update", {
          id,
          fields: {
            LAST_NAME: "Ivanov",
            PHONE: [
              { ID: phoneId, VALUE: "+74950009999" },
              { VALUE: "+79009990000", VALUE_TYPE: "MOBILE" },
            ],
          },
        })
      ).body.result,
    ).toBe(true);
    const after = await call("crm.contact.get", { id });
    expect(after.body.result.LAST_NAME).toBe("Ivanov");
    expect(after.body.result.PHONE.map((p: { VALUE: string }) => p.VALUE)).toEqual(["+74950009999", "+79009990000"]);
    expect((await call("crm.contact.get", { id: 999 })).body).toEqual({ error: "", error_description: "Not found" });
    expect((await call("crm.contact.update", { id: "abc", fields: {} })).body.error_description).toBe("ID is not defined or invalid.");
  });

  it("crm.lead get / list / update", async () => {
    expect((await call("crm.lead.get", { id: 4 })).body.result).toMatchObject({ ID: "4", TITLE: "Web lead", STATUS_ID: "NEW" });
    expect((await call("crm.lead.update", { id: 4, fields: { STATUS_ID: "IN_PROCESS" } })).body.result).toBe(true);
    const list = await call("crm.lead.list", { filter: { STATUS_ID: "IN_PROCESS" }, select: ["ID", "TITLE"] });
    expect(list.body.result).toEqual([{ ID: "4", TITLE: "Web lead" }]);
  });

  it("crm.duplicate.findbycomm normalises numbers and reports its errors", async () => {
    expect((await call("crm.duplicate.findbycomm", { type: "PHONE", values: ["+7 900 111 22 33"] })).body.result).toEqual({ LEAD: [4], CONTACT: [3] });
    expect((await call("crm.duplicate.findbycomm", { type: "PHONE", values: ["89001112233"], entity_type: "CONTACT" })).body.result).toEqual({ CONTACT: [3] });
    expect((await call("crm.duplicate.findbycomm", { type: "PHONE", values: ["+10000000000"] })).body.result).toEqual([]);
    expect((await call("crm.duplicate.findbycomm", { values: ["1"] })).body.error_description).toBe("Communication type is not defined");
    expect((await call("crm.duplicate.findbycomm", { type: "PHONE" })).body.error_description).toBe("Communication values is not defined");
    expect((await call("crm.duplicate.findbycomm", { type: "FAX", values: ["1"] })).body.error_description).toBe("Communication type 'FAX' is not supported in current context");
  });

  it("crm.activity.update on a call activity", async () => {
    const reg = await call("telephony.externalcall.register", { USER_ID: 1, PHONE_NUMBER: "+79001112233", TYPE: 2 });
    const fin = await call("telephony.externalcall.finish", { CALL_ID: reg.body.result.CALL_ID, USER_ID: 1 });
    const id = fin.body.result.CRM_ACTIVITY_ID;
    expect((await call("crm.activity.get", { id })).body.result.COMPLETED).toBe("N");
    expect((await call("crm.activity.update", { id, fields: { COMPLETED: "Y", RESPONSIBLE_ID: 2, DESCRIPTION: "called back" } })).body.result).toBe(true);
    expect((await call("crm.activity.get", { id })).body.result).toMatchObject({ COMPLETED: "Y", STATUS: "2", RESPONSIBLE_ID: "2", DESCRIPTION: "called back" });
    expect((await call("crm.activity.update", { id, fields: { SUBJECT: "" } })).body.error_description).toBe("The field SUBJECT is not defined or empty");
    expect((await call("crm.activity.update", { id: 999, fields: { COMPLETED: "Y" } })).body).toEqual({ error: "", error_description: "Activity is not found" });
    const list = await call("crm.activity.list", { filter: { TYPE_ID: 2 }, select: ["ID", "ORIGIN_ID", "COMMUNICATIONS"] });
    expect(list.body.result[0]).toEqual({
      ID: String(id),
      ORIGIN_ID: `VI_${reg.body.result.CALL_ID}`,
      COMMUNICATIONS: [expect.objectContaining({ TYPE: "PHONE", VALUE: "+79001112233" })],
    });
  });

  it("tasks.task.add and im notifications", async () => {
    const t = await call("tasks.task.add", { fields: { TITLE: "Call back +79001112233", RESPONSIBLE_ID: 2, UF_CRM_TASK: ["C_3"] } });
    expect(t.body.result.task).toMatchObject({ id: expect.any(String), title: "Call back +79001112233", responsibleId: "2", createdBy: "1" });
    expect((await call("tasks.task.add", {})).body).toEqual({ error: "100", error_description: "Could not find value for parameter {fields}" });
    expect((await call("tasks.task.add", { fields: { RESPONSIBLE_ID: 2 } })).body.error).toBe("ERROR_CORE");
    const n = await call("im.notify.system.add", { USER_ID: 2, MESSAGE: "Missed call from [b]+79001112233[/b]" });
    expect(typeof n.body.result).toBe("number");
    const pn = await call("im.notify.personal.add", { USER_ID: 2, MESSAGE: "hi" });
    expect(pn.body.result).toBeGreaterThan(n.body.result);
    expect((await call("im.notify.system.add", { MESSAGE: "x" })).body.error).toBe("USER_ID_EMPTY");
    expect((await call("im.notify.system.add", { USER_ID: 2, MESSAGE: "  " })).body.error).toBe("MESSAGE_EMPTY");
    const snap = emu.snapshot() as { notifications: Array<{ kind: string; FROM_USER_ID: number }> };
    expect(snap.notifications.map((x) => [x.kind, x.FROM_USER_ID])).toEqual([
      ["system", 0],
      ["personal", 1],
    ]);
  });
});
