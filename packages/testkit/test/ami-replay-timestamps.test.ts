import { afterEach, describe, expect, it } from "vitest";
import { AmiClient, type AmiMessage } from "@asterisk-b24/ami";
import { loadRecording, startAmiReplayServer, type AmiReplayServer } from "../src/index.js";

describe("AMI replay: Timestamp headers (timestampevents = yes)", () => {
  let server: AmiReplayServer | undefined;
  let client: AmiClient | undefined;
  afterEach(async () => {
    await client?.close();
    await server?.close();
  });

  it("stamps every event with its recorded time, whatever the replay speed", async () => {
    const base = 1_795_257_413_000;
    const rec = loadRecording("01_inbound_ext101_answered");
    server = await startAmiReplayServer({ recordings: [rec], speed: "asap", timestampEvents: base });
    client = new AmiClient({ host: server.host, port: server.port, username: "crm", secret: "secret", keepalive: false, reconnect: false });
    const got: AmiMessage[] = [];
    client.consume(async (m) => void got.push(m));
    await client.connect();
    const recorded = rec.messages.filter((m) => m.message.event !== undefined);
    await server.done;
    while (got.filter((m) => m.event !== undefined).length < recorded.length) await new Promise((r) => setTimeout(r, 10));
    const events = got.filter((m) => m.event !== undefined);
    expect(events.length).toBe(recorded.length);
    events.forEach((m, i) => {
      expect(Number(m.get("Timestamp"))).toBeCloseTo((base + recorded[i]!.t) / 1000, 3);
      expect(m.fields[2]![0]).toBe(m.has("Privilege") ? "Timestamp" : m.fields[2]![0]);
    });
    const first = events[0]!;
    expect(Number(events[events.length - 1]!.get("Timestamp")) - Number(first.get("Timestamp"))).toBeGreaterThan(15);
  });
});
