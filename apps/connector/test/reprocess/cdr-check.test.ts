/**
 * The independent check of reprocessing (reprocess/cdr-check): Asterisk's CDR rows against what the
 * CRM shows. The real recordings agree with the calls they should give; the calls the old CEL
 * grouping cut in two (issue 20 §4) disagree, so a run can no longer report them as "fixed".
 */
import { describe, expect, it } from "vitest";
import { DEMO_USERS } from "@asterisk-b24/testkit";
import { rebuildCall } from "../../src/cel/index.js";
import { cdrDisagreements, cdrView, type CrmView } from "../../src/reprocess/cdr-check.js";
import { CEL_NAMES, SYNTHETIC_CEL_NAMES, fixtureRows, syntheticCelExpect, syntheticCelRows } from "../cel/fixtures.js";
import { LAB_CONFIG } from "../tracker/replay.js";

const INTERNAL = /^\d{2,5}$/;
const userOf = (ext: string) => DEMO_USERS.find((u) => u.UF_PHONE_INNER === ext)?.ID;
const statusOf = (result: number) => String(result);

describe("CDR check", () => {
  for (const name of CEL_NAMES) {
    it(`${name}: the CDR agrees with the call rebuilt from CEL`, async () => {
      const { cel, cdr } = await fixtureRows(name);
      const c = rebuildCall(cel, cdr, LAB_CONFIG).callFull;
      const view = cdrView(cdr, INTERNAL);
      if (c.direction === "internal" || (!c.answered_extension && c.result === 480)) {
        // No client leg in CDR (internal call; click-to-call whose phone never answered): nothing to compare.
        expect(view).toBeUndefined();
        return;
      }
      const crm: CrmView = { userId: userOf(c.answered_extension), durationSec: c.talk_seconds, statusCode: statusOf(c.result) };
      expect(cdrDisagreements(view!, crm, userOf)).toEqual([]);
    });
  }

  for (const name of SYNTHETIC_CEL_NAMES) {
    it(`${name}: the CDR agrees with the expected call and not with the call cut in two`, async () => {
      const { cdr } = await syntheticCelRows(name);
      const want = syntheticCelExpect(name);
      const view = cdrView(cdr, INTERNAL)!;
      expect(cdrDisagreements(view, { userId: want.responsible, durationSec: want.talkSeconds.min, statusCode: "200" }, userOf)).toEqual([]);
      // What the CRM held after a run on the cut call: the first part's manager, or a missed call.
      const cut: CrmView = name.includes("pickup") ? { statusCode: "304", durationSec: 0 } : { userId: 1, durationSec: 14, statusCode: "200" };
      expect(cdrDisagreements(view, cut, userOf).length).toBe(1);
    });
  }

  it("a CRM talk time longer than the PBX bridged the client is a disagreement; a shorter one is not", async () => {
    const { cdr } = await fixtureRows("01_inbound_ext101_answered");
    const view = cdrView(cdr, INTERNAL)!;
    expect(view).toMatchObject({ answered: true, answeredBy: "101", talkSeconds: 15 });
    expect(cdrDisagreements(view, { userId: 1, durationSec: 40, statusCode: "200" }, userOf)).toEqual(["CDR: talk at most 15 s; CRM: 40 s"]);
    expect(cdrDisagreements(view, { userId: 1, durationSec: 12, statusCode: "200" }, userOf)).toEqual([]);
    expect(cdrDisagreements(view, { userId: 2, durationSec: 15, statusCode: "200" }, userOf)).toEqual(["CDR: answered last by 101 (user 1); CRM: user 2"]);
    expect(cdrDisagreements(view, { statusCode: "304" }, userOf)).toEqual(["CDR: answered by 101; CRM: not answered (304)"]);
  });
});
