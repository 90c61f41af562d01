/**
 * Replicas of recorded calls for soaks and benches: every copy has its own ids, channels, bridges
 * and recording files wherever they appear, and keeps numbers, extensions and timing.
 */
import { describe, expect, it } from "vitest";
import { loadRecording, mixRecordings, recordingFileNames, recordingNames, renameExtensions, shiftValue } from "../src/index.js";

describe("mixRecordings", () => {
  const recs = recordingNames().map((n) => loadRecording(n));

  it("gives two copies of every recording disjoint ids, channels, bridges and recording files", () => {
    const { recording, replicas } = mixRecordings(
      recs.flatMap((r, i) => [
        { recording: r, atMs: i * 1000 },
        { recording: r, atMs: i * 1000 + 500 },
      ]),
    );
    const seen = new Map<string, Set<string>>(); // value → linkedids of the copies that use it
    const owner = new Map<string, string>();
    for (const rep of replicas) for (const l of rep.linkedids) owner.set(l, `${rep.copy}`);
    for (const { message } of recording.messages.slice(1)) {
      const copy = owner.get(message.get("Linkedid") ?? "");
      if (!copy) continue;
      for (const [k, v] of message.fields) {
        if (!/(uniqueid|^channel|destchannel)$/i.test(k) || !v) continue;
        const s = seen.get(v) ?? new Set<string>();
        s.add(copy);
        seen.set(v, s);
      }
    }
    const shared = [...seen].filter(([, copies]) => copies.size > 1).map(([v]) => v);
    expect(shared).toEqual([]);
    const files = recordingFileNames(recording);
    expect(new Set(files).size).toBe(files.length);
    expect(files.length).toBe(2 * recs.reduce((n, r) => n + recordingFileNames(r).length, 0));
    expect(replicas).toHaveLength(2 * recs.length);
    expect(new Set(replicas.flatMap((r) => r.linkedids)).size).toBe(replicas.reduce((n, r) => n + r.linkedids.length, 0));
  });

  it("keeps numbers, extensions and the recorded pace; shifts names and ids consistently", () => {
    const rec = loadRecording("02_inbound_queue_sales_102_answers");
    const { recording, replicas } = mixRecordings([{ recording: rec, atMs: 7_000 }]);
    const calls = rec.messages.slice(1);
    expect(recording.messages).toHaveLength(rec.messages.length);
    expect(recording.messages[1]!.t).toBe(7_000);
    expect(recording.messages.at(-1)!.t - 7_000).toBe(calls.at(-1)!.t - calls[0]!.t);
    expect(replicas[0]!.lengthMs).toBe(calls.at(-1)!.t - calls[0]!.t);
    const original = calls.map((m) => m.message.get("CallerIDNum")).filter(Boolean);
    const copied = recording.messages
      .slice(1)
      .map((m) => m.message.get("CallerIDNum"))
      .filter(Boolean);
    expect(copied).toEqual(original);
    const shift = { copy: 3, epochSeconds: 60 };
    expect(shiftValue("Channel", "Local/101@from-queue-0000000a;2", shift)).toBe("Local/101@from-queue-0000030a;2");
    expect(shiftValue("Value", "PJSIP/102-00000002", shift)).toBe("PJSIP/102-00000302");
    expect(shiftValue("DestLinkedid", "1795257437.2", shift)).toBe("1795257497.30002");
    expect(shiftValue("Value", "2026/11/21/in-74951234567-79161234567-20261121-103717-1795257437.0.wav", shift)).toBe(
      "2026/11/21/in-74951234567-79161234567-20261121-103717-1795257497.30000.wav",
    );
    expect(shiftValue("Timestamp", "1795257437.123456", shift)).toBe("1795257437.123456");
    expect(shiftValue("BridgeUniqueid", "5f0c-aa", shift)).toBe("5f0c-aa-r3");
    expect(shiftValue("Exten", "74951234567", shift)).toBe("74951234567");
  });
});

describe("renameExtensions", () => {
  it("renames every mention of the extensions and leaves ids, times and longer numbers alone", () => {
    const rec = loadRecording("02_inbound_queue_sales_102_answers");
    const out = renameExtensions(rec, { "101": "201", "102": "202", "103": "203" }, "unowned");
    expect(out.name).toBe("02_inbound_queue_sales_102_answers~unowned");
    expect(out.description).toMatch(/^unowned variant of 02_inbound_queue_sales_102_answers \(extensions 101→201, 102→202, 103→203\), derived from the real recording/);
    expect(out.messages).toHaveLength(rec.messages.length);
    const ext = /(?<![\d.])10[123](?!\d)/;
    let renamedChannels = 0;
    rec.messages.forEach(({ t, message }, i) => {
      const copy = out.messages[i]!;
      expect(copy.t).toBe(t);
      for (const [k, v] of message.fields) {
        const w = copy.message.get(k)!;
        if (/uniqueid|linkedid|^timestamp$|eventtv/i.test(k)) expect(w).toBe(v);
        expect(ext.test(w), `${k}: ${w}`).toBe(false);
        if (/^channel$/i.test(k) && /^PJSIP\/10[123]-/.test(v)) {
          expect(w).toBe(v.replace(/^PJSIP\/1/, "PJSIP/2"));
          renamedChannels++;
        }
      }
    });
    expect(renamedChannels).toBeGreaterThan(0);
    // The client's number (79161234567) keeps its digits.
    expect(out.messages.some(({ message }) => message.get("CallerIDNum") === "79161234567")).toBe(true);
  });
});
