import { startB24Emulator, type B24Emulator } from "@asterisk-b24/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildActivityUpdate } from "../../../src/stages/build/activity.js";
import type { B24Port } from "../../../src/crm/port.js";
import { buildIvrMissedNotice } from "../../../src/stages/build/notices.js";
import { chooseResponsible } from "../../../src/stages/build/responsible.js";
import { toB24Status } from "../../../src/stages/build/status-code.js";
import { buildMissedCallTask } from "../../../src/stages/build/tasks.js";
import { UsersCache } from "../../../src/directory/users-cache.js";
import { B24CallError, createWebhookPort } from "../../support/webhook-port.js";

let emu: B24Emulator;
let port: B24Port;

beforeAll(async () => {
  const users = Array.from({ length: 120 }, (_, i) => ({ ID: i + 1, NAME: `User${i + 1}`, UF_PHONE_INNER: String(100 + i) }));
  users.push({ ID: 121, NAME: "Mobile-only", UF_PHONE_INNER: "", PERSONAL_MOBILE: "+7 (926) 555-00-21" } as (typeof users)[number]);
  users.push({ ID: 122, NAME: "Fired", UF_PHONE_INNER: "999", ACTIVE: false } as (typeof users)[number]);
  emu = await startB24Emulator({
    webhook: { userId: 1, code: "partstestcode" },
    users,
    contacts: [{ ID: 12, NAME: "Ivan", ASSIGNED_BY_ID: 7, PHONE: [{ VALUE: "+79161234567", VALUE_TYPE: "WORK" }] }],
    limits: false,
  });
  port = createWebhookPort(emu.webhookUrl);
});

afterAll(async () => {
  await emu?.close();
});

describe("UsersCache against the emulator", () => {
  it("reads all pages of active users; finds by inner number and by mobile", async () => {
    const cache = new UsersCache({ port, refreshIntervalMs: 0 });
    await cache.start();
    expect(cache.snapshot().users).toBe(121);
    expect(cache.byInnerPhone("219")?.id).toBe(120);
    expect(cache.find("89265550021")?.id).toBe(121);
    expect(cache.find("999")).toBeUndefined();
    const userGets = emu.requests().filter((r) => r.method === "user.get");
    expect(userGets.length).toBe(3);
  });
});

describe("the builders' output is accepted by the emulator", () => {
  it("missed inbound call: status, responsible, task, activity deadline", async () => {
    const status = toB24Status({ direction: "inbound", answered: false, dialStatus: "NOANSWER" });
    expect(status.statusCode).toBe("304");
    const search = await port.call<Array<{ CRM_ENTITY_TYPE: string; CRM_ENTITY_ID: number; ASSIGNED_BY_ID: number }>>("telephony.externalCall.searchCrmEntities", {
      PHONE_NUMBER: "79161234567",
    });
    const owner = search[0]!.ASSIGNED_BY_ID;
    const responsible = chooseResponsible({
      answered: false,
      conversations: [{ userId: 2, answered: false }],
      entityOwnerId: owner,
    });
    expect(responsible).toEqual({ userId: 7, reason: "entity-owner" });

    const reg = await port.call<{ CALL_ID: string; CRM_ENTITY_TYPE: string; CRM_ENTITY_ID: number }>("telephony.externalCall.register", {
      USER_PHONE_INNER: "101",
      PHONE_NUMBER: "79161234567",
      TYPE: 2,
      SHOW: 0,
    });
    const fin = await port.call<{ CRM_ACTIVITY_ID: number }>("telephony.externalCall.finish", {
      CALL_ID: reg.CALL_ID,
      USER_ID: responsible.userId,
      DURATION: 0,
      STATUS_CODE: status.statusCode,
      FAILED_REASON: status.failedReason,
    });

    const task = buildMissedCallTask(
      {
        clientNumber: "79161234567",
        direction: "inbound",
        startedAt: new Date(),
        responsibleId: responsible.userId!,
        entities: [{ type: "CONTACT", id: reg.CRM_ENTITY_ID }],
      },
      { createdBy: 1, deadlineMinutes: 30, timeZone: "Europe/Moscow" },
      new Date(),
    );
    const added = await port.call<{ task: { id: string } }>(task.method, task.params);
    expect(Number(added.task.id)).toBeGreaterThan(0);
    const stored = (emu.snapshot().tasks as Array<Record<string, unknown>>).find((t) => t.id === added.task.id)!;
    expect(stored.responsibleId).toBe("7");

    const update = buildActivityUpdate(fin.CRM_ACTIVITY_ID, "inbound-missed", { deadlineMinutes: { "inbound-missed": 30 } }, new Date());
    expect(await port.call(update!.method, update!.params)).toBe(true);
  });

  it("IVR notice", async () => {
    const notice = buildIvrMissedNotice({ userId: 5, clientNumber: "79161234567", dialledExtension: "104", at: new Date(), entity: { type: "CONTACT", id: 12 } });
    const id = await port.call<number>(notice.method, notice.params);
    expect(id).toBeTruthy();
  });

  it("business errors come back as B24CallError", async () => {
    const err = await port.call("tasks.task.add", { fields: { TITLE: "x", RESPONSIBLE_ID: 9999 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(B24CallError);
    expect((err as B24CallError).httpStatus).toBe(400);
  });
});
