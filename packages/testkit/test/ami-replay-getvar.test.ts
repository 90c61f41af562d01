/**
 * Getvar on the AMI replay server answers with the channel variables (and a few functions) as the
 * recording has set them at the current point of the stream, the way Asterisk 22's manager
 * action_getvar does: inherited names without their `__` prefix, empty Value when unset,
 * "No such channel" for a channel that is not live.
 */
import { afterEach, describe, expect, it } from "vitest";
import { AmiClient } from "@asterisk-b24/ami";
import { loadRecording, startAmiReplayServer, type AmiReplayServer } from "../src/index.js";

describe("AMI replay: Getvar", () => {
  let server: AmiReplayServer | undefined;
  let client: AmiClient | undefined;
  afterEach(async () => {
    await client?.close();
    await server?.close();
  });

  it("answers from the recording at this point of the stream (events lost in an outage included)", async () => {
    const rec = loadRecording("02_inbound_queue_sales_102_answers");
    // The link drops after the login; messages 3..146 (the call up to the bridge) are lost.
    server = await startAmiReplayServer({ recordings: [rec], speed: "asap", drop: { atMessage: 3, lose: 144, resume: "afterCoreShowChannels" } });
    client = new AmiClient({ host: server.host, port: server.port, username: "crm", secret: "secret", keepalive: false, reconnect: { initialDelayMs: 20, maxDelayMs: 50 } });
    client.consume(async () => undefined);
    await client.connect();
    while (server.logins < 2) await new Promise((r) => setTimeout(r, 10));
    while (!client.isConnected) await new Promise((r) => setTimeout(r, 10));
    const get = async (channel: string, variable: string) => {
      const r = await client!.action({ Action: "Getvar", Channel: channel, Variable: variable });
      return { ok: r.ok, value: r.response.get("Value"), variable: r.response.get("Variable"), message: r.response.get("Message") };
    };
    expect(await get("PJSIP/provider-00000000", "FROM_DID")).toMatchObject({ ok: true, value: "74951234567", variable: "FROM_DID" });
    expect(await get("PJSIP/provider-00000000", "MIXMONITOR_FILENAME")).toMatchObject({
      ok: true,
      value: "/var/spool/asterisk/monitor/2026/11/21/in-74951234567-79161234567-20261121-103717-1795257437.0.wav",
    });
    expect(await get("PJSIP/102-00000002", "DIALEDPEERNUMBER")).toMatchObject({ ok: true, value: "102" });
    expect(await get("PJSIP/provider-00000000", "CALLERID(num)")).toMatchObject({ ok: true, value: "79161234567" });
    expect(await get("PJSIP/provider-00000000", "NOT_SET_ANYWHERE")).toMatchObject({ ok: true, value: "" });
    // 101 rang and hung up during the outage: gone.
    expect(await get("PJSIP/101-00000001", "FROM_DID")).toMatchObject({ ok: false, message: "No such channel" });
    const list = await client.action({ Action: "CoreShowChannels" });
    expect(list.events.map((e) => e.get("Channel"))).toEqual(["PJSIP/provider-00000000", "PJSIP/102-00000002"]);
  });

  it("starts N ms into the recording on the PBX's clock: CoreShowChannels, Ping and CDR(answer,u) tell the past", async () => {
    const rec = loadRecording("06_outbound_answered");
    const base = 1_900_000_000_000;
    server = await startAmiReplayServer({ recordings: [rec], speed: 1, startAtMs: 8000, timestampEvents: base });
    client = new AmiClient({ host: server.host, port: server.port, username: "crm", secret: "secret", keepalive: false });
    const seen: string[] = [];
    client.consume(async (m) => void (m.event && seen.push(m.event)));
    await client.connect();
    // The PBX is 8 s into the recording: Ping's Timestamp is that time; nothing before it is ever sent.
    const pong = await client.action({ Action: "Ping" });
    expect(Number(pong.response.get("Timestamp"))).toBe((base + 8000) / 1000);
    const list = await client.action({ Action: "CoreShowChannels" });
    expect(list.events.map((e) => [e.get("Channel"), e.get("Duration")])).toEqual([
      ["PJSIP/101-00000000", "00:00:07"],
      ["PJSIP/provider-00000001", "00:00:07"],
    ]);
    // 101 went Up at 4423 ms (when the callee answered), the trunk leg at 4423 ms too.
    for (const channel of ["PJSIP/101-00000000", "PJSIP/provider-00000001"]) {
      const r = await client.action({ Action: "Getvar", Channel: channel, Variable: "CDR(answer,u)" });
      expect(r.response.get("Value"), channel).toBe(((base + 4423) / 1000).toFixed(6));
    }
    expect(seen.filter((e) => e === "Newchannel" || e === "BridgeEnter")).toEqual([]);
  });

  it("CDR(answer,u) of a channel not answered yet is 0.000000, as func_cdr's raw format gives it", async () => {
    const rec = loadRecording("06_outbound_answered");
    server = await startAmiReplayServer({ recordings: [rec], speed: 1, startAtMs: 2000, timestampEvents: 1_900_000_000_000 });
    client = new AmiClient({ host: server.host, port: server.port, username: "crm", secret: "secret", keepalive: false });
    client.consume(async () => undefined);
    await client.connect();
    const r = await client.action({ Action: "Getvar", Channel: "PJSIP/provider-00000001", Variable: "CDR(answer,u)" });
    expect(r.response.get("Value")).toBe("0.000000");
  });
});
