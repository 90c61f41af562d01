/**
 * Must show: calls that ARE in the CRM, but without their record, or finished with the wrong
 * responsible — the cross-check against voximplant.statistic.get finds them and fixes only that
 * (no second registration, no second finish, the other part left alone). A dry run changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRecording, requireService, restCall, SERVICES, uniquePrefix, writeRecordingFiles } from "@asterisk-b24/testkit";
import { startStack, type Stack } from "../../src/demo/stack.js";
import { silentLogger } from "../../src/log/logger.js";
import { fixtureRows } from "../cel/fixtures.js";
import { firstCelTime, loadCelTables, recordingRows } from "./cel-db.js";
import { DAY, duplicates, reprocessRun } from "./helpers.js";

const available = (await requireService("redis")) && (await requireService("mariadb"));
// 01: inbound, 101 (user 1) answers, recorded. 02: queue, 102 (user 2) answers, recorded.
const NO_RECORD = "01_inbound_ext101_answered";
const WRONG_USER = "02_inbound_queue_sales_102_answers";

describe.runIf(available)("cross-check against the CRM's call history", () => {
  let stack: Stack;
  let drop: () => Promise<void> = async () => {};
  const now = Date.now();
  const period = { from: new Date(now - 7 * DAY).toISOString(), to: new Date(now).toISOString() };
  const keys: Record<string, string> = {};
  const callIds: Record<string, string> = {};
  const call = (m: string, p: Record<string, unknown>) => restCall(stack.emu.webhookUrl, m, p);

  /** The call as an earlier connector left it: registered and finished, by its EXTERNAL_CALL_ID. */
  async function inCrm(name: string, userId: number, withRecord: boolean): Promise<void> {
    const key = (await fixtureRows(name)).cel[0]!.linkedid;
    keys[name] = key;
    const reg = await call("telephony.externalcall.register", {
      USER_ID: userId,
      PHONE_NUMBER: "79161234567",
      TYPE: 2,
      LINE_NUMBER: "74951234567",
      CALL_START_DATE: new Date(now - 2 * DAY).toISOString(),
      EXTERNAL_CALL_ID: key,
      SHOW: 0,
      CRM_CREATE: 1,
    });
    expect(reg.status).toBe(200);
    callIds[name] = reg.body.result.CALL_ID;
    const fin = await call("telephony.externalcall.finish", { CALL_ID: callIds[name], USER_ID: userId, DURATION: 10, STATUS_CODE: "200" });
    expect(fin.status).toBe(200);
    if (withRecord)
      expect(
        (await call("telephony.externalcall.attachrecord", { CALL_ID: callIds[name], FILENAME: "r.mp3", FILE_CONTENT: Buffer.from("ID3 earlier").toString("base64") })).status,
      ).toBe(200);
  }

  const counters = () => (({ callsRegistered, callsFinished, recordsAttached }) => ({ callsRegistered, callsFinished, recordsAttached }))(stack.emu.stats());

  beforeAll(async () => {
    if (!available) return;
    const names = [NO_RECORD, WRONG_USER];
    const shift = now - 2 * DAY - (await firstCelTime(names));
    const loaded = await loadCelTables("mysql", `rp_cross_${process.pid}_${Date.now().toString(36)}`, await recordingRows(names, shift));
    drop = loaded.drop;
    stack = await startStack({
      recordings: [],
      speed: "asap",
      redisUrl: SERVICES.redis.url,
      redisPrefix: uniquePrefix("rp-cross"),
      logger: silentLogger(),
      limits: false,
      config: { cel: loaded.config, reprocess: { schedule: false } } as never,
    });
    for (const n of names) writeRecordingFiles(loadRecording(n), stack.monitorDir);
    await inCrm(NO_RECORD, 1, false); // right responsible, no record
    await inCrm(WRONG_USER, 5, true); // record there, responsible 5 instead of 2
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    await drop().catch(() => undefined);
  });

  it("a dry run lists both problems and changes nothing", async () => {
    const before = counters();
    const run = await reprocessRun(stack.connector, { ...period, dryRun: true });
    expect(run.counts).toEqual({ checked: 2, alreadyFine: 0, fixed: 0, stillWrong: 2 });
    const report = (await stack.connector.reprocess.report(run.id))!;
    const byKey = Object.fromEntries(report.toCheck.map((c) => [c.callKey, c]));
    expect(byKey[keys[NO_RECORD]!]!.problems).toEqual([expect.stringMatching(/^no recording in the CRM/)]);
    expect(byKey[keys[WRONG_USER]!]!.problems).toEqual(["responsible is user 5, should be 2"]);
    expect(byKey[keys[WRONG_USER]!]!.actions).toEqual(["would set the activity's responsible to 2"]);
    expect(counters()).toEqual(before);
  }, 120_000);

  it("attaches the missing record and corrects the responsible, nothing else; a second run finds both fine", async () => {
    const before = counters();
    const run = await reprocessRun(stack.connector, period);
    expect(run.counts).toEqual({ checked: 2, alreadyFine: 0, fixed: 2, stillWrong: 0 });
    // One record more (the missing one), no registration, no finish.
    expect(counters()).toEqual({ ...before, recordsAttached: before.recordsAttached + 1 });
    expect(stack.emu.call(callIds[NO_RECORD]!)!.records).toHaveLength(1);
    expect(stack.emu.call(callIds[WRONG_USER]!)!.records).toHaveLength(1);
    expect(stack.emu.call(callIds[WRONG_USER]!)!.records[0]!.name).toBe("r.mp3");
    const stat = await call("voximplant.statistic.get", { FILTER: { EXTERNAL_CALL_ID: keys[WRONG_USER] } });
    const activity = await call("crm.activity.get", { id: stat.body.result[0].CRM_ACTIVITY_ID });
    expect(activity.body.result.RESPONSIBLE_ID).toBe("2");
    const noRecActivity = await call("crm.activity.get", {
      id: (await call("voximplant.statistic.get", { FILTER: { EXTERNAL_CALL_ID: keys[NO_RECORD] } })).body.result[0].CRM_ACTIVITY_ID,
    });
    expect(noRecActivity.body.result.RESPONSIBLE_ID).toBe("1");
    const j = await stack.connector.journal.summary(keys[WRONG_USER]!);
    expect(j).toMatchObject({ status: "reprocessed", liveResult: "wrong", verify: "fixed" });

    const again = await reprocessRun(stack.connector, period);
    expect(again.counts).toEqual({ checked: 2, alreadyFine: 2, fixed: 0, stillWrong: 0 });
    expect(counters()).toEqual({ ...before, recordsAttached: before.recordsAttached + 1 });
    expect(duplicates(stack.emu)).toEqual([]);
  }, 120_000);
});
