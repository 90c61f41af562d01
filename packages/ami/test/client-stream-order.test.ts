import { afterEach, describe, expect, it } from "vitest";
import type { AmiClient, AmiMessage } from "../src/index.js";
import { loadRecording, startAmiReplayServer, type AmiReplayServer } from "../../testkit/src/index.js";
import { clientFor, until } from "./helpers.js";

describe("AmiClient: actions in stream order", () => {
  let server: AmiReplayServer | undefined;
  let client: AmiClient | undefined;
  afterEach(async () => {
    await client?.close();
    await server?.close();
  });

  it("onSend sees the action with its ActionID before any reply", async () => {
    server = await startAmiReplayServer();
    client = clientFor(server);
    await client.connect();
    let sent: AmiMessage | undefined;
    const res = await client.action({ Action: "Ping" }, { onSend: (a) => (sent = a) });
    expect(sent?.get("Action")).toBe("Ping");
    expect(sent?.actionId).toBe(res.actionId);
  });

  it("deliverToConsumer puts a list reply into the event stream at its place, and still aggregates it", async () => {
    const rec = loadRecording("02_inbound_queue_sales_102_answers");
    server = await startAmiReplayServer({ recordings: [rec], speed: "asap" });
    client = clientFor(server);
    const seen: AmiMessage[] = [];
    client.consume(async (m) => void seen.push(m));
    await client.connect();
    await until(() => seen.filter((m) => m.event === "Newchannel").length >= 2);
    let id: string | undefined;
    const res = await client.action({ Action: "CoreShowChannels" }, { deliverToConsumer: true, onSend: (a) => (id = a.actionId) });
    await until(() => seen.some((m) => m.actionId === id && m.get("EventList") === "Complete"));
    const mine = seen.filter((m) => m.actionId === id);
    expect(mine[0]!.response).toBe("Success");
    expect(mine.filter((m) => m.event === "CoreShowChannel").length).toBe(res.events.length);
    expect(mine[mine.length - 1]!.event).toBe("CoreShowChannelsComplete");
    // The list sits after every event that was sent before the snapshot was taken.
    const at = seen.indexOf(mine[0]!);
    const channelsBefore = new Set(
      seen
        .slice(0, at)
        .filter((m) => m.event === "Newchannel")
        .map((m) => m.get("Uniqueid")),
    );
    for (const ch of res.events) expect(channelsBefore.has(ch.get("Uniqueid"))).toBe(true);
  });
});
