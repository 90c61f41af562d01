import { describe, expect, it } from "vitest";
import { buildActivityUpdate, callKind } from "../../../src/stages/build/activity.js";
import { crmRef, parseUfCrmTaskValue, ufCrmTaskValue } from "../../../src/stages/build/crm-binding.js";
import { deadlineAfter, formatB24DateTime, offsetMinutesAt } from "../../../src/stages/build/datetime.js";
import { buildIvrMissedNotice } from "../../../src/stages/build/notices.js";
import { buildMissedCallTask } from "../../../src/stages/build/tasks.js";
import { renderTemplate } from "../../../src/stages/build/template.js";

const NOW = new Date("2026-03-07T07:20:30.456Z");

describe("datetime", () => {
  it("ISO-8601 with offset in a zone, a fixed offset, negative offsets", () => {
    expect(formatB24DateTime(NOW, "Europe/Moscow")).toBe("2026-03-07T10:20:30+03:00");
    expect(formatB24DateTime(NOW, "UTC")).toBe("2026-03-07T07:20:30+00:00");
    expect(formatB24DateTime(NOW, { offsetMinutes: 330 })).toBe("2026-03-07T12:50:30+05:30");
    expect(formatB24DateTime(NOW, "America/St_Johns")).toBe("2026-03-07T03:50:30-03:30");
    expect(offsetMinutesAt(NOW, "Asia/Yekaterinburg")).toBe(300);
    expect(deadlineAfter(NOW, 90, "Europe/Moscow")).toBe("2026-03-07T11:50:30+03:00");
  });
  it("without a zone: this process's offset, still well-formed", () => {
    expect(formatB24DateTime(NOW)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  });
});

describe("crm-binding", () => {
  it("UF_CRM_TASK values both ways", () => {
    expect(ufCrmTaskValue({ type: "CONTACT", id: 12 })).toBe("C_12");
    expect(ufCrmTaskValue({ type: "LEAD", id: 5 })).toBe("L_5");
    expect(ufCrmTaskValue({ type: "COMPANY", id: 3 })).toBe("CO_3");
    expect(ufCrmTaskValue({ type: "DEAL", id: 7 })).toBe("D_7");
    expect(parseUfCrmTaskValue("CO_3")).toEqual({ type: "COMPANY", id: 3 });
    expect(parseUfCrmTaskValue("X_3")).toBeUndefined();
    expect(crmRef("contact", "797")).toEqual({ type: "CONTACT", id: 797 });
    expect(crmRef("", null)).toBeUndefined();
  });
  it("templates leave unknown placeholders visible", () => {
    expect(renderTemplate("{a}-{b}-{c}", { a: 1, b: "x" })).toBe("1-x-{c}");
  });
});

describe("buildMissedCallTask", () => {
  it("builds tasks.task.add fields", () => {
    const cmd = buildMissedCallTask(
      {
        clientNumber: "79161234567",
        clientName: "Иван Петров",
        line: "74951234567",
        direction: "inbound",
        startedAt: new Date("2026-03-07T07:15:00Z"),
        responsibleId: 12,
        entities: [
          { type: "CONTACT", id: 12 },
          { type: "DEAL", id: 40 },
          { type: "CONTACT", id: 12 },
        ],
      },
      { createdBy: 1, deadlineMinutes: 30, timeZone: "Europe/Moscow" },
      NOW,
    );
    expect(cmd.method).toBe("tasks.task.add");
    expect(cmd.params.fields).toMatchObject({
      TITLE: "Пропущенный звонок: 79161234567",
      RESPONSIBLE_ID: 12,
      CREATED_BY: 1,
      DEADLINE: "2026-03-07T10:50:30+03:00",
      UF_CRM_TASK: ["C_12", "D_40"],
    });
    expect(cmd.params.fields.DESCRIPTION).toContain("2026-03-07T10:15:00+03:00");
    expect(cmd.params.fields.DESCRIPTION).toContain("Иван Петров");
    expect(cmd.params.fields.DESCRIPTION).toContain("74951234567");
  });

  it("outbound title, custom templates, default 60 min deadline", () => {
    const cmd = buildMissedCallTask(
      { clientNumber: "112", direction: "outbound", startedAt: NOW, responsibleId: 3, entities: [{ type: "LEAD", id: 5 }] },
      { createdBy: 2, timeZone: "UTC", titleTemplate: "Call back {number} {name}", descriptionTemplate: "{line}" },
      NOW,
    );
    expect(cmd.params.fields).toMatchObject({
      TITLE: "Call back 112",
      DEADLINE: "2026-03-07T08:20:30+00:00",
      UF_CRM_TASK: ["L_5"],
      DESCRIPTION: "",
    });
    const defaultTitle = buildMissedCallTask({ clientNumber: "112", direction: "outbound", startedAt: NOW, responsibleId: 3, entities: [] }, { createdBy: 2 }, NOW);
    expect(defaultTitle.params.fields.TITLE).toBe("Неотвеченный исходящий звонок: 112");
  });
});

describe("buildIvrMissedNotice", () => {
  it("im.notify.system.add with a CRM link", () => {
    const cmd = buildIvrMissedNotice(
      {
        userId: 7,
        clientNumber: "79161234567",
        dialledExtension: "101",
        at: NOW,
        entity: { type: "CONTACT", id: 12 },
      },
      { timeZone: "Europe/Moscow" },
    );
    expect(cmd.method).toBe("im.notify.system.add");
    expect(cmd.params.USER_ID).toBe(7);
    expect(cmd.params.MESSAGE).toContain("79161234567");
    expect(cmd.params.MESSAGE).toContain("101");
    expect(cmd.params.MESSAGE).toContain("2026-03-07T10:20:30+03:00");
    expect(cmd.params.MESSAGE).toContain("[url=/crm/contact/details/12/]");
    expect(cmd.params).not.toHaveProperty("TAG");
  });
  it("TAG only together with CLIENT_ID; custom template", () => {
    const base = { userId: 7, clientNumber: "1", dialledExtension: "101", at: NOW };
    expect(buildIvrMissedNotice(base, { tag: "t" }).params).not.toHaveProperty("TAG");
    const cmd = buildIvrMissedNotice(base, { tag: "ab24|ivr|1", clientId: "c", template: "{extension}: {number}" });
    expect(cmd.params).toEqual({ USER_ID: 7, MESSAGE: "101: 1", TAG: "ab24|ivr|1", CLIENT_ID: "c" });
  });
});

describe("buildActivityUpdate", () => {
  it("call kinds", () => {
    expect(callKind("inbound", "200")).toBe("inbound-answered");
    expect(callKind("inbound", "304")).toBe("inbound-missed");
    expect(callKind("inbound", "304", true)).toBe("ivr-missed");
    expect(callKind("outbound", "200")).toBe("outbound-answered");
    expect(callKind("outbound", "486")).toBe("outbound-unanswered");
  });
  const rules = {
    deadlineMinutes: { "inbound-missed": 30 },
    complete: ["inbound-answered" as const, "outbound-answered" as const],
    timeZone: "Europe/Moscow",
  };
  it("deadline for missed calls (START_TIME + END_TIME by default)", () => {
    expect(buildActivityUpdate(55, "inbound-missed", rules, NOW)).toEqual({
      method: "crm.activity.update",
      params: { id: 55, fields: { START_TIME: "2026-03-07T10:50:30+03:00", END_TIME: "2026-03-07T10:50:30+03:00" } },
    });
  });
  it("completion for answered calls; nothing to do → undefined; chosen deadline fields", () => {
    expect(buildActivityUpdate(56, "outbound-answered", rules, NOW)?.params.fields).toEqual({ COMPLETED: "Y" });
    expect(buildActivityUpdate(57, "outbound-unanswered", rules, NOW)).toBeUndefined();
    const both = buildActivityUpdate(58, "ivr-missed", { deadlineMinutes: { "ivr-missed": 0 }, complete: ["ivr-missed"], deadlineFields: ["DEADLINE"], timeZone: "UTC" }, NOW);
    expect(both?.params.fields).toEqual({ DEADLINE: "2026-03-07T07:20:30+00:00", COMPLETED: "Y" });
  });
});
