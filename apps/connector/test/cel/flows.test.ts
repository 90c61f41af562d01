/**
 * Call flows that are not in the shared recordings, written as Asterisk 12+ logs them in CEL:
 * attended transfer between two calls (two linkedids joined), recording from MixMonitor's
 * APP_START, a queue that is not in the CRM with FreePBX Local members, parking.
 */
import { describe, expect, it } from "vitest";
import { groupCalls } from "../../src/cel/group.js";
import { rebuildCall } from "../../src/cel/rebuild.js";
import { collect } from "../../src/cel/csv-rows.js";
import type { CelRow } from "../../src/cel/rows.js";
import { LAB_CONFIG } from "../tracker/replay.js";
import { CelScript, chan } from "./builder.js";

async function* iterate(rows: CelRow[]): AsyncIterable<CelRow> {
  for (const r of rows) yield r;
}

/** 79161234567 → DID → 101 answers; 101 calls 102 from its phone (second call), then transfers the client to 102. */
function attendedTransfer(): CelScript {
  const A = "1795400000.0";
  const B = "1795400020.2";
  const trunk = chan("PJSIP/provider-00000000", A, A, "79161234567", "from-trunk", "74951234567");
  const p101 = chan("PJSIP/101-00000001", "1795400000.1", A, "101", "from-internal", "s");
  const p101b = chan("PJSIP/101-00000002", B, B, "101", "from-internal", "102");
  const p102 = chan("PJSIP/102-00000003", "1795400020.3", B, "102", "from-internal", "s");
  const s = new CelScript();
  s.start(0, trunk)
    .start(0.01, p101)
    .connect(3, trunk, p101, "b1", "PJSIP/101,20,tT")
    .row("BRIDGE_EXIT", 20, p101, { appname: "AppDial", x: { bridge_id: "b1" } }) // 101 puts the client on hold, calls 102
    .row("BRIDGE_ENTER", 20, p101, { appname: "AppDial", x: { bridge_id: "b1" } })
    .start(20, p101b)
    .start(20.01, p102)
    .connect(24, p101b, p102, "b2", "PJSIP/102,20,tT")
    .row("ATTENDEDTRANSFER", 30, p101, {
      x: {
        bridge1_id: "b1",
        channel2_name: p101b.name,
        channel2_uniqueid: p101b.uid,
        bridge2_id: "b2",
        transferee_channel_name: trunk.name,
        transferee_channel_uniqueid: trunk.uid,
        transfer_target_channel_name: p102.name,
        transfer_target_channel_uniqueid: p102.uid,
      },
    })
    .exit(30, p101, "b1")
    .exit(30, p102, "b2");
  const p102a = { ...p102, lid: A }; // 102 joins the client's bridge: it takes the older linkedid
  s.enter(30, p102a, "b1")
    .exit(30, p101b, "b2")
    .hangup(30, p101, 16, "AppDial")
    .hangup(30, p101b, 16, "Dial", "ANSWER")
    .linkedidEnd(30, p101b)
    .exit(50, p102a, "b1")
    .hangup(50, p102a, 16, "AppDial")
    .exit(50, trunk, "b1")
    .hangup(50, trunk, 16, "", "ANSWER")
    .linkedidEnd(50, trunk);
  return s;
}

describe("attended transfer between two calls (two linkedids)", () => {
  it("the rows are grouped into one call under the first linkedid", async () => {
    const s = attendedTransfer();
    const calls = await collect(groupCalls(iterate(s.rows), { from: new Date(s.t0), to: new Date(s.t0 + 60_000) }));
    expect(calls.map((c) => c.linkedid)).toEqual(["1795400000.0"]);
    expect(calls[0]!.cel.length).toBe(s.rows.length);
  });

  it("the client's call ends with 102 responsible and the transfer recorded", () => {
    const { callFull, stages } = rebuildCall(attendedTransfer().rows, undefined, LAB_CONFIG);
    expect(callFull.call_key).toBe("1795400000.0");
    expect(callFull.direction).toBe("inbound");
    expect(callFull.line_number).toBe("74951234567");
    expect(callFull.answered_extension).toBe("102");
    expect(callFull.transfers.map((t) => [t.kind, t.from, t.to])).toEqual([["attended", "101", "102"]]);
    expect(callFull.merged_from).toEqual(["1795400020.2"]);
    expect(callFull.talk_seconds).toBeGreaterThanOrEqual(46);
    // The consultation call is closed as merged, exactly once; the client's call ends last.
    expect(stages.filter((e) => e.stage === "call_ended").map((e) => [e.callKey, e.call.end_reason])).toEqual([
      ["1795400020.2", "merged"],
      ["1795400000.0", "hangup"],
    ]);
  });
});

/** 101 calls 89161234567 through the trunk, 10 s of talk; optionally MixMonitor, and rows dropped. */
function outbound(lid: string, o: { mixMonitor?: string; noAnswerRows?: boolean; noHangup101?: boolean } = {}): CelScript {
  const p101 = chan("PJSIP/101-00000000", lid, lid, "101", "from-internal", "89161234567");
  const trunk = chan("PJSIP/provider-00000001", `${lid.split(".")[0]}.1`, lid, "", "from-trunk", "s");
  const s = new CelScript().start(0, p101);
  if (o.mixMonitor) s.row("APP_START", 0.5, p101, { appname: "MixMonitor", appdata: `${o.mixMonitor},b` });
  s.start(0.6, trunk);
  if (!o.noAnswerRows) s.answer(5, trunk, "AppDial", "(Outgoing Line)").answer(5, p101, "Dial", "PJSIP/89161234567@provider,60");
  s.enter(5, trunk, "b").enter(5, p101, "b").exit(15, trunk, "b").hangup(15, trunk, 16, "AppDial").exit(15, p101, "b");
  if (!o.noHangup101) s.hangup(15, p101, 16, "", "ANSWER");
  return s;
}

describe("recording from MixMonitor's APP_START", () => {
  it("is the call's record (and wins over the CDR's recordingfile)", () => {
    const file = "/var/spool/asterisk/monitor/2026/11/25/out-89161234567-101-20261125-090000-1795400100.0.wav";
    const cdr = [{ recordingfile: "other.wav" } as never];
    const r = rebuildCall(outbound("1795400100.0", { mixMonitor: file }).rows, cdr, LAB_CONFIG);
    expect(r.recordingFile).toBe(file);
    expect(r.callFull.record).toBe(file);
    expect(r.callFull.direction).toBe("outbound");
    expect(r.callFull.client_number).toBe("89161234567");
    expect(r.callFull.talk_seconds).toBe(10);
  });
});

describe("queue that is not in the CRM, FreePBX Local members", () => {
  it("the support agent's conversation is excluded: no responsible, no CRM talk time", () => {
    const lid = "1795400200.0";
    const trunk = chan("PJSIP/provider-00000000", lid, lid, "79161234567", "from-trunk", "74951234567");
    const l1 = chan("Local/501@from-queue-00000000;1", "1795400200.1", lid, "79161234567", "from-queue", "501");
    const l2 = chan("Local/501@from-queue-00000000;2", "1795400200.2", lid, "79161234567", "from-queue", "501");
    const p501 = chan("PJSIP/501-00000001", "1795400200.3", lid, "501", "from-internal", "s");
    const s = new CelScript()
      .start(0, trunk)
      .answer(0.1, trunk, "Answer")
      .row("APP_START", 0.5, trunk, { appname: "Queue", appdata: "support,t,,,300", exten: "601", context: "ext-queues" })
      .start(0.6, l1)
      .start(0.6, l2)
      .start(0.7, p501)
      .connect(4, l2, p501, "bl", "PJSIP/501,,trM")
      .answer(4, l1, "AppQueue", "(Outgoing Line)")
      .enter(4.1, l1, "bq")
      .enter(4.1, trunk, "bq")
      .exit(20, trunk, "bq")
      .hangup(20, trunk, 16, "Queue", "ANSWER")
      .exit(20, l1, "bq")
      .hangup(20, l1, 16, "AppQueue")
      .exit(20, l2, "bl")
      .hangup(20, l2, 16, "Dial", "ANSWER")
      .exit(20, p501, "bl")
      .hangup(20, p501, 16, "AppDial")
      .linkedidEnd(20, trunk);
    const { callFull } = rebuildCall(s.rows, undefined, LAB_CONFIG);
    expect(callFull.excluded_extensions).toEqual(["501"]);
    expect(callFull.answered_extension).toBe("");
    expect(callFull.talk_seconds).toBe(0);
    expect(callFull.talk_seconds_total).toBeGreaterThanOrEqual(15);
    expect(Object.values(callFull.conversations)[0]?.queue).toBe("support");
  });
});

describe("rows missing", () => {
  it("a bridged channel without its ANSWER row counts as answered; a channel without HANGUP ends at the call's last row", () => {
    const r = rebuildCall(outbound("1795400400.0", { noAnswerRows: true, noHangup101: true }).rows, undefined, LAB_CONFIG);
    expect(r.callFull.answered_extension).toBe("101");
    expect(r.callFull.talk_seconds).toBe(10);
    expect(r.callFull.ended).toBe(true);
  });
});

describe("parking", () => {
  it("a parked and retrieved client stays answered by the manager who took it back", () => {
    const lid = "1795400300.0";
    const trunk = chan("PJSIP/provider-00000000", lid, lid, "79161234567", "from-trunk", "74951234567");
    const p101 = chan("PJSIP/101-00000001", "1795400300.1", lid, "101", "from-internal", "s");
    const s = new CelScript()
      .start(0, trunk)
      .start(0.1, p101)
      .connect(3, trunk, p101, "b1", "PJSIP/101,20,tT")
      .exit(10, trunk, "b1")
      .row("PARK_START", 10, trunk, { appname: "Park", extra: JSON.stringify({ parker_dial_string: "PJSIP/101", parking_lot: "default" }) })
      .enter(10, trunk, "parkbridge", "holding_bridge")
      .exit(10, p101, "b1")
      .hangup(10, p101, 16, "AppDial");
    const p101b = chan("PJSIP/101-00000002", "1795400315.2", "1795400315.2", "101", "from-internal", "71");
    s.start(15, p101b).answer(15.1, p101b, "ParkedCall", "71");
    const p101bl = { ...p101b, lid };
    s.exit(15.2, trunk, "parkbridge", "holding_bridge")
      .row("PARK_END", 15.2, trunk, { extra: JSON.stringify({ reason: "ParkedCallRetrieved" }) })
      .enter(15.2, p101bl, "b2")
      .enter(15.2, trunk, "b2")
      .linkedidEnd(15.2, p101b)
      .exit(40, p101bl, "b2")
      .hangup(40, p101bl, 16)
      .exit(40, trunk, "b2")
      .hangup(40, trunk, 16)
      .linkedidEnd(40, trunk);
    const { callFull } = rebuildCall(s.rows, undefined, LAB_CONFIG);
    expect(callFull.direction).toBe("inbound");
    expect(callFull.answered_extension).toBe("101");
    expect(callFull.result).toBe(200);
  });
});
