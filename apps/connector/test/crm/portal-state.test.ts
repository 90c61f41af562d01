/**
 * Decision 0006: which failures mean "maybe executed", and what the portal's state settles before a
 * re-send (portal-state.ts, pure: probe commands and the reading of their answers).
 */
import { describe, expect, it } from "vitest";
import { B24BusinessError, B24RateLimitError, B24ServerError } from "../../src/crm/errors.js";
import { classifyB24Error } from "../../src/crm/errors.js";
import { stateCheck } from "../../src/crm/portal-state.js";
import { parseAnswer } from "../../src/crm/transport.js";

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("did not throw");
}

describe("maybe executed", () => {
  it("a 5xx without Bitrix24's error body may have run (a proxy answering for a slow box), a 503 page included", () => {
    const page = thrown(() => parseAnswer(503, "<html><center><h1>503 Service Temporarily Unavailable</h1></center></html>")) as B24ServerError;
    expect(page).toBeInstanceOf(B24ServerError);
    expect(page.maybeExecuted).toBe(true);
    expect((thrown(() => parseAnswer(502, "")) as B24ServerError).maybeExecuted).toBe(true);
  });

  it("a Bitrix24 error body is a definite answer: the limit's 503 and business errors were not run", () => {
    const limit = thrown(() => parseAnswer(503, JSON.stringify({ error: "QUERY_LIMIT_EXCEEDED", error_description: "Too many requests" }))) as B24RateLimitError;
    expect(limit).toBeInstanceOf(B24RateLimitError);
    expect(limit.maybeExecuted).toBe(false);
    const biz = thrown(() => parseAnswer(400, JSON.stringify({ error: "", error_description: "Unknown TYPE" }))) as B24BusinessError;
    expect(biz.maybeExecuted).toBe(false);
    // the b24-app gateway: never reached the portal (503) vs sent without an answer (504)
    expect(classifyB24Error("PORTAL_UNREACHABLE", "portal unreachable", 503).maybeExecuted).toBe(false);
    const noAnswer = classifyB24Error("PORTAL_NO_ANSWER", "no answer from the portal", 504);
    expect(noAnswer).toBeInstanceOf(B24ServerError);
    expect(noAnswer.maybeExecuted).toBe(true);
  });
});

const statRow = (o: Record<string, unknown> = {}) => ({
  ID: "7",
  CALL_ID: "externalCall.abc.1",
  EXTERNAL_CALL_ID: "1700000000.1",
  CRM_ENTITY_TYPE: "CONTACT",
  CRM_ENTITY_ID: "12",
  CRM_ACTIVITY_ID: "55",
  RECORD_FILE_ID: null,
  ...o,
});

describe("portal state before a re-send", () => {
  it("probes register by EXTERNAL_CALL_ID, finish and attachRecord by CALL_ID, a task by XML_ID — nothing else", () => {
    const check = stateCheck([
      { key: "r", method: "telephony.externalcall.register", params: { USER_ID: 1, EXTERNAL_CALL_ID: "1700000000.1" } },
      { key: "f", method: "telephony.externalcall.finish", params: { CALL_ID: "externalCall.abc.1", USER_ID: 1 } },
      { key: "a", method: "telephony.externalCall.attachRecord", params: { CALL_ID: "externalCall.abc.1", FILENAME: "x.wav", FILE_CONTENT: "UklG" } },
      { key: "t", method: "tasks.task.add", params: { fields: { TITLE: "x", RESPONSIBLE_ID: 1, XML_ID: "asterisk-b24:missed:1700000000.1" } } },
      { key: "u", method: "crm.activity.update", params: { id: 1, fields: {} } },
      { key: "n", method: "im.notify.system.add", params: { USER_ID: 1, MESSAGE: "x" } },
    ])!;
    expect(Object.values(check.probes)).toEqual([
      "voximplant.statistic.get?FILTER[EXTERNAL_CALL_ID]=1700000000.1",
      "voximplant.statistic.get?FILTER[CALL_ID]=externalCall.abc.1",
      "voximplant.statistic.get?FILTER[CALL_ID]=externalCall.abc.1",
      "tasks.task.list?filter[XML_ID]=asterisk-b24%3Amissed%3A1700000000.1&select[0]=ID&select[1]=TITLE&select[2]=XML_ID&select[3]=RESPONSIBLE_ID",
    ]);
    expect(check.methods.sort()).toEqual(["tasks.task.list", "voximplant.statistic.get"]);
  });

  it("settles what the portal shows: a finished call (its activity), an adopted CALL_ID, an attached record, an existing task", () => {
    const check = stateCheck([
      { key: "r", method: "telephony.externalcall.register", params: { EXTERNAL_CALL_ID: "1700000000.1" } },
      { key: "f", method: "telephony.externalcall.finish", params: { CALL_ID: "externalCall.abc.1" } },
      { key: "a", method: "telephony.externalcall.attachrecord", params: { CALL_ID: "externalCall.abc.1", RECORD_URL: "https://pbx/r.mp3" } },
      { key: "t", method: "tasks.task.add", params: { fields: { XML_ID: "k" } } },
    ])!;
    const settled = check.settle({ p0: [statRow()], p1: [statRow()], p2: [statRow({ RECORD_FILE_ID: "9" })], p3: { tasks: [{ id: "31", title: "x", xmlId: "k" }] } });
    expect(settled.get("r")!.result).toEqual({
      CALL_ID: "externalCall.abc.1",
      CRM_ENTITY_TYPE: "CONTACT",
      CRM_ENTITY_ID: 12,
      CRM_CREATED_LEAD: null,
      CRM_CREATED_ENTITIES: [],
      ALREADY_FINISHED: true,
    });
    expect(settled.get("f")!.result).toMatchObject({ CALL_ID: "externalCall.abc.1", CRM_ACTIVITY_ID: 55, ALREADY_FINISHED: true });
    expect(settled.get("a")!.result).toEqual({ FILE_ID: 9, ALREADY_ATTACHED: true });
    expect(settled.get("t")!.result).toEqual({ task: { id: "31", title: "x", xmlId: "k" }, ALREADY_ADDED: true });
  });

  it("leaves for re-sending what the portal does not show yet (an open call, a finish not run, no record, no task)", () => {
    const check = stateCheck([
      { key: "r", method: "telephony.externalcall.register", params: { EXTERNAL_CALL_ID: "1700000000.1" } },
      { key: "f", method: "telephony.externalcall.finish", params: { CALL_ID: "externalCall.abc.1" } },
      { key: "a", method: "telephony.externalcall.attachrecord", params: { CALL_ID: "externalCall.abc.1", FILENAME: "x.wav", FILE_CONTENT: "UklG" } },
      { key: "t", method: "tasks.task.add", params: { fields: { XML_ID: "k" } } },
    ])!;
    expect(check.settle({ p0: [], p1: [], p2: [statRow()], p3: { tasks: [] } }).size).toBe(0);
    // a probe that failed (no result) settles nothing either
    expect(check.settle({}).size).toBe(0);
    // nor do rows of other calls and tasks (a portal that ignored the filter)
    const other = statRow({ CALL_ID: "externalCall.other.2", EXTERNAL_CALL_ID: "other", RECORD_FILE_ID: "4" });
    expect(check.settle({ p0: [other], p1: [other], p2: [other], p3: { tasks: [{ id: "5", xmlId: "not-ours" }] } }).size).toBe(0);
  });

  it("does not probe what it cannot key: unresolved references, a register without EXTERNAL_CALL_ID, the upload-ticket form, a task without XML_ID", () => {
    expect(
      stateCheck([
        { key: "f", method: "telephony.externalcall.finish", params: { CALL_ID: "$result[reg][CALL_ID]" } },
        { key: "r", method: "telephony.externalcall.register", params: { USER_ID: 1 } },
        { key: "a", method: "telephony.externalcall.attachrecord", params: { CALL_ID: "externalCall.abc.1", FILENAME: "x.wav" } },
        { key: "t", method: "tasks.task.add", params: { fields: { TITLE: "x" } } },
      ]),
    ).toBeUndefined();
  });
});
