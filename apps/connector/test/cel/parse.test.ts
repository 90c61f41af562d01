import { describe, expect, it } from "vitest";
import { collect } from "../../src/cel/csv-rows.js";
import { csvRecords } from "../../src/cel/csv.js";
import { groupCalls } from "../../src/cel/group.js";
import { toCdrRow, toCelRow } from "../../src/cel/normalize.js";
import type { CelRow } from "../../src/cel/rows.js";
import { formatWallClock, parseCelTime } from "../../src/cel/time.js";
import { CelScript, chan } from "./builder.js";

describe("CEL/CDR times", () => {
  it("zone-less times are read in the configured zone", () => {
    expect(parseCelTime("2026-11-21 10:39:01.086349", "UTC").toISOString()).toBe("2026-11-21T10:39:01.086Z");
    expect(parseCelTime("2026-11-21 13:39:01", "+03:00").toISOString()).toBe("2026-11-21T10:39:01.000Z");
    expect(parseCelTime("2026-11-21 13:39:01", "Europe/Moscow").toISOString()).toBe("2026-11-21T10:39:01.000Z");
    expect(parseCelTime("2026-07-01 12:00:00", "Europe/Berlin").toISOString()).toBe("2026-07-01T10:00:00.000Z"); // summer time
  });
  it("times with an offset (timestamptz text) and epoch seconds (cel-custom default)", () => {
    expect(parseCelTime("2026-11-21 13:39:01.5+03", "UTC").toISOString()).toBe("2026-11-21T10:39:01.500Z");
    expect(parseCelTime("1795257541.086349", "Europe/Moscow").toISOString()).toBe("2026-11-21T10:39:01.086Z");
  });
  it("SQL bounds are written in the table's zone", () => {
    expect(formatWallClock(new Date("2026-11-21T10:39:01.086Z"), "Europe/Moscow")).toBe("2026-11-21 13:39:01.086");
    expect(formatWallClock(new Date("2026-11-21T10:39:01Z"), "UTC")).toBe("2026-11-21 10:39:01.000");
  });
  it("garbage is an error that shows the value", () => {
    expect(() => parseCelTime("21/11/2026", "UTC")).toThrow(/not a CEL\/CDR time: "21\/11\/2026"/);
  });
});

describe("CSV as Asterisk writes it", () => {
  it("quotes, doubled quotes, commas and newlines inside fields, CRLF, chunks split anywhere", async () => {
    const text = '"A","{""k"":""v,w""}",x\r\n"multi\nline",,""\r\nlast,1';
    for (const size of [1, 2, 3, 7, 1000]) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      expect(await collect(csvRecords(chunks))).toEqual([
        ["A", '{"k":"v,w"}', "x"],
        ["multi\nline", "", ""],
        ["last", "1"],
      ]);
    }
  });
});

describe("rows from any layout", () => {
  it("aliases (AcctId, eventextra, bridgepeer), numeric event types, NULLs and Buffers", () => {
    const r = toCelRow(
      {
        AcctId: "7",
        EventType: "4",
        eventtime: "2026-11-21 10:39:01",
        uniqueid: "1.1",
        linkedid: "1.0",
        channame: Buffer.from("PJSIP/101-1"),
        eventextra: '{"hangupcause":16}',
        bridgepeer: "PJSIP/102-2",
        cid_num: null,
      },
      "UTC",
    );
    expect(r).toMatchObject({ id: 7, eventtype: "HANGUP", channame: "PJSIP/101-1", extra: '{"hangupcause":16}', peer: "PJSIP/102-2", cid_num: "" });
    const c = toCdrRow({ start: "2026-11-21 10:39:01", answer: "", end: "2026-11-21 10:39:10", billsec: "6", recordingfile: "a.wav" }, "UTC");
    expect(c).toMatchObject({ billsec: 6, recordingfile: "a.wav", answer: null });
    expect(c.calldate.toISOString()).toBe("2026-11-21T10:39:01.000Z");
  });
});

async function* iterate(rows: CelRow[]): AsyncIterable<CelRow> {
  for (const r of rows) yield r;
}

describe("grouping rows into calls", () => {
  const call = (s: CelScript, lid: string, at: number, len: number) => {
    const a = chan("PJSIP/provider-1", lid, lid, "79161234567", "from-trunk", "74951234567");
    return s
      .start(at, a)
      .answer(at + 1, a, "Answer")
      .hangup(at + len, a, 16)
      .linkedidEnd(at + len, a);
  };
  it("takes the calls that start in the period, whole, and leaves the others", async () => {
    const s = new CelScript();
    call(s, "100.0", 0, 30); // starts before the period
    call(s, "200.0", 50, 100); // starts inside, ends after `to`
    call(s, "300.0", 120, 5); // starts after
    const got = await collect(groupCalls(iterate(s.rows), { from: new Date(s.t0 + 10_000), to: new Date(s.t0 + 100_000) }));
    expect(got.map((c) => [c.linkedid, c.cel.length])).toEqual([["200.0", 5]]);
  });
  it("a call still in progress when the rows run out is left for the next run", async () => {
    const s = new CelScript(Date.now() - 60_000);
    const a = chan("PJSIP/provider-1", "400.0", "400.0", "79161234567", "from-trunk", "74951234567");
    s.start(0, a).answer(1, a, "Answer");
    const got = await collect(groupCalls(iterate(s.rows), { from: new Date(s.t0 - 1000), to: new Date(s.t0 + 3600_000) }));
    expect(got).toEqual([]);
    const later = await collect(groupCalls(iterate(s.rows), { from: new Date(s.t0 - 1000), to: new Date(s.t0 + 3600_000), now: s.t0 + 3600_000 }));
    expect(later.map((c) => c.linkedid)).toEqual(["400.0"]);
  });
});

describe("events made from CEL", () => {
  it("answer get() in any case, like a received AMI message", async () => {
    const { translateCall } = await import("../../src/cel/translate.js");
    const a = chan("PJSIP/provider-1", "500.0", "500.0", "79161234567", "from-trunk", "74951234567");
    const { events } = translateCall(new CelScript().start(0, a).rows);
    const m = events[0]!.message;
    expect([m.event, m.get("uniqueid"), m.get("UNIQUEID"), m.get("Uniqueid"), m.get("channelstate"), m.get("Nope")]).toEqual([
      "Newchannel",
      "500.0",
      "500.0",
      "500.0",
      "4",
      undefined,
    ]);
    expect(m.fields).toContainEqual(["Channel", "PJSIP/provider-1"]);
  });
});
