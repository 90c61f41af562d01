import { afterEach, describe, expect, it } from "vitest";
import { AmiClient, type AmiClientOptions, type AmiConnectedInfo, type AmiMessage } from "@asterisk-b24/ami";
import { loadRecording, recordingNames, startAmiReplayServer, type AmiReplayServer, type AmiReplayServerOptions } from "../src/index.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function start(options: AmiReplayServerOptions): Promise<AmiReplayServer> {
  const s = await startAmiReplayServer(options);
  cleanups.push(() => s.close());
  return s;
}

function client(s: AmiReplayServer, options: Partial<AmiClientOptions> = {}): AmiClient {
  const c = new AmiClient({
    host: s.host,
    port: s.port,
    username: "crm",
    secret: "secret",
    keepalive: false,
    reconnect: { initialDelayMs: 5, maxDelayMs: 20, jitter: 0 },
    ...options,
  });
  cleanups.push(() => c.close());
  return c;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** The recorded messages a client must receive: all but the recorded Login response. */
function expectedFields(name: string): (readonly (readonly [string, string])[])[] {
  return loadRecording(name)
    .messages.slice(1)
    .map((m) => m.message.fields);
}

function liveUniqueids(name: string, upTo: number): string[] {
  const live: string[] = [];
  for (const { message } of loadRecording(name).messages.slice(0, upTo)) {
    const id = message.get("Uniqueid");
    if (message.event === "Newchannel" && id) live.push(id);
    if (message.event === "Hangup" && id) live.splice(live.indexOf(id), 1);
  }
  return live;
}

describe("AMI replay over TCP with AmiClient: recordings", () => {
  for (const name of recordingNames()) {
    it(`${name}: delivers exactly the messages of the .jsonl, in order (whole and in random small chunks)`, async () => {
      const expected = expectedFields(name);
      expect(loadRecording(name).messages[0]!.message.get("Message")).toBe("Authentication accepted");
      for (const chunking of [false, { minBytes: 1, maxBytes: 48, seed: name.length }]) {
        const s = await start({ recordings: [name], chunking });
        const c = client(s);
        const got: AmiMessage[] = [];
        c.consume((m) => void got.push(m));
        await c.connect();
        await s.done;
        await until(() => got.length >= expected.length);
        const pong = await c.action({ Action: "Ping" }); // anything still in flight arrives before the Pong
        expect(pong.ok).toBe(true);
        await c.drained();
        expect(c.stats.parseErrors).toBe(0);
        expect(got.map((m) => m.fields)).toEqual(expected);
        await c.close();
      }
    });
  }

  it("serves several recordings one after another, looping, at a speed factor", async () => {
    const names = ["07_outbound_busy", "17c_click2call_phone_no_answer"];
    const onePass = names.flatMap(expectedFields);
    const s = await start({ recordings: names, loop: true, speed: 200 });
    const c = client(s);
    const got: AmiMessage[] = [];
    c.consume((m) => void got.push(m));
    await c.connect();
    await until(() => got.length >= 2 * onePass.length);
    expect(got.slice(0, 2 * onePass.length).map((m) => m.fields)).toEqual([...onePass, ...onePass]);
  });

  it("looping with freshIdsPerPass: each pass has new Uniqueid/Linkedid values, everything else identical", async () => {
    const name = "07_outbound_busy";
    const onePass = expectedFields(name);
    const s = await start({ recordings: [name], loop: true, freshIdsPerPass: true });
    const c = client(s);
    const got: AmiMessage[] = [];
    c.consume((m) => void got.push(m));
    await c.connect();
    await until(() => got.length >= 2 * onePass.length);
    expect(got.slice(0, onePass.length).map((m) => m.fields)).toEqual(onePass);
    const second = got.slice(onePass.length, 2 * onePass.length);
    let shifted = 0;
    second.forEach((m, i) => {
      m.fields.forEach(([k, v], j) => {
        const [rk, rv] = onePass[i]![j]!;
        expect(k).toBe(rk);
        if (/(uniqueid|linkedid)$/i.test(k) && /^\d+\.\d+$/.test(rv)) {
          expect(Number(v.split(".")[0])).toBe(Number(rv.split(".")[0]) + 1_000_000);
          expect(v.split(".")[1]).toBe(rv.split(".")[1]);
          shifted++;
        } else expect(v).toBe(rv);
      });
    });
    expect(shifted).toBeGreaterThan(10);
  });

  it("backpressure: a slow consumer pauses the socket; every event arrives, in order", async () => {
    const name = "02_inbound_queue_sales_102_answers";
    const recordings = Array.from({ length: 5 }, () => name);
    const expected = recordings.flatMap(expectedFields);
    const s = await start({ recordings });
    const c = client(s, { highWaterMark: 4, lowWaterMark: 1 });
    let sawPausedSocket = false;
    const firstPause = new Promise<void>((resolve) =>
      c.once("pause", () => {
        sawPausedSocket = c.isPaused;
        resolve();
      }),
    );
    const got: AmiMessage[] = [];
    c.consume(async (m) => {
      if (got.length === 0)
        await firstPause; // hold the consumer until the queue hit the high-water mark
      else await new Promise((resolve) => setImmediate(resolve));
      got.push(m);
    });
    await c.connect();
    await until(() => got.length >= expected.length);
    await c.drained();
    expect(sawPausedSocket).toBe(true);
    expect(c.stats.pauses).toBeGreaterThanOrEqual(1);
    // the queue never absorbed the stream: the rest waited in TCP buffers while the socket was paused
    expect(c.stats.maxQueued).toBeLessThan(expected.length / 2);
    expect(got.map((m) => m.fields)).toEqual(expected);
  });

  it("backpressure does not deadlock a consumer that awaits an action inside its handler", async () => {
    const name = "02_inbound_queue_sales_102_answers";
    const recordings = [name, name, name];
    const expected = recordings.flatMap(expectedFields);
    const s = await start({ recordings });
    const c = client(s, { highWaterMark: 2, lowWaterMark: 1 });
    const got: AmiMessage[] = [];
    c.consume(async (m) => {
      if (m.event === "Newchannel" || m.event === "Hangup") {
        const r = await c.action({ Action: "CoreShowChannels" }); // its reply sits behind queued events
        expect(r.ok).toBe(true);
      }
      got.push(m);
    });
    await c.connect();
    await until(() => got.length >= expected.length);
    expect(c.stats.pauses).toBeGreaterThanOrEqual(1);
    expect(got.map((m) => m.fields)).toEqual(expected);
  });

  it("click-to-call (onOriginate): the stream starts on the live Originate, with its ActionID", async () => {
    for (const name of ["12_click2call_answered", "17c_click2call_phone_no_answer", "17d_click2call_local_channel"]) {
      const rec = loadRecording(name);
      const recordedId = rec.actions.find((a) => a.message.get("Action") === "Originate")!.message.actionId!;
      const s = await start({ recordings: [name], startMode: "onOriginate" });
      const c = client(s);
      const got: AmiMessage[] = [];
      c.consume((m) => void got.push(m));
      await c.connect();
      // nothing past the recorded Originate flows before a live Originate
      await c.action({ Action: "Ping" });
      expect(s.position).toBeLessThan(rec.messages.findIndex((m) => m.message.actionId === recordedId) + 1);
      const recordedOriginate = rec.actions.find((a) => a.message.get("Action") === "Originate")!.message;
      const live = await c.action(recordedOriginate.fields.filter(([k]) => k !== "ActionID"));
      expect(live.response.fields).toEqual(
        rec.messages.find((m) => m.message.actionId === recordedId && m.message.event === undefined)!.message.fields.map(([k, v]) => [k, k === "ActionID" ? live.actionId : v]),
      );
      await s.done;
      const expected = rec.messages
        .slice(1)
        .filter((m) => !(m.message.actionId === recordedId && m.message.event === undefined))
        .map((m) => m.message.fields.map(([k, v]) => [k, k === "ActionID" && v === recordedId ? live.actionId : v]));
      await until(() => got.length >= expected.length);
      expect(got.map((m) => m.fields)).toEqual(expected);
      const originateResponse = got.find((m) => m.event === "OriginateResponse")!;
      expect(originateResponse.actionId).toBe(live.actionId);
      // no synthetic reply was sent on top of the recorded one
      expect(got.filter((m) => m.event === undefined && m.actionId === live.actionId)).toEqual([]);
    }
  });

  it("drop at message N: the client reconnects, the stream continues at N+K, CoreShowChannels lists the live channels", async () => {
    const name = "01_inbound_ext101_answered";
    const rec = loadRecording(name);
    const newchannels = rec.messages.flatMap((m, i) => (m.message.event === "Newchannel" ? [i] : []));
    const N = newchannels[1]!; // the second channel is created while nobody is connected
    const K = 6;
    expect(liveUniqueids(name, N + K)).not.toEqual(liveUniqueids(name, N));
    const s = await start({ recordings: [name], drop: { atMessage: N, lose: K, resume: "afterCoreShowChannels" } });
    const c = client(s);
    const got: AmiMessage[] = [];
    c.consume((m) => void got.push(m));
    const reconciled = new Promise<{ info: AmiConnectedInfo; channels: AmiMessage[]; complete: AmiMessage | undefined }>((resolve, reject) => {
      c.on("connected", (info) => {
        if (!info.reconnect) return;
        c.action({ Action: "CoreShowChannels" }).then((r) => resolve({ info, channels: r.events, complete: r.complete }), reject);
      });
    });
    const disconnected = new Promise<string>((resolve) => c.once("disconnected", (d) => resolve(d.reason)));
    await c.connect();
    expect(await disconnected).toBe("socket-closed");
    const { info, channels, complete } = await reconciled;
    expect(info).toMatchObject({ reconnect: true, session: 2 });
    // the channels alive at N+K (including one the client never saw a Newchannel for)
    expect(channels.map((m) => m.get("Uniqueid"))).toEqual(liveUniqueids(name, N + K));
    expect(complete?.get("ListItems")).toBe(String(channels.length));
    for (const ch of channels) {
      expect(ch.event).toBe("CoreShowChannel");
      expect(ch.get("Channel")).toMatch(/^PJSIP\//);
      expect(ch.get("Linkedid")).toBeTruthy();
      expect(ch.get("Duration")).toMatch(/^\d\d:\d\d:\d\d$/);
    }
    await s.done;
    const expected = [...rec.messages.slice(1, N), ...rec.messages.slice(N + K)].map((m) => m.message.fields);
    await until(() => got.length >= expected.length);
    expect(got.map((m) => m.fields)).toEqual(expected);
  });

  it("drop at message N with immediate resume continues at N+K", async () => {
    const name = "14_internal_101_to_102";
    const rec = loadRecording(name);
    const N = 40;
    const K = 3;
    const s = await start({ recordings: [name], drop: { atMessage: N, lose: K } });
    const c = client(s);
    const got: AmiMessage[] = [];
    c.consume((m) => void got.push(m));
    await c.connect();
    await s.done;
    const expected = [...rec.messages.slice(1, N), ...rec.messages.slice(N + K)].map((m) => m.message.fields);
    await until(() => got.length >= expected.length);
    expect(got.map((m) => m.fields)).toEqual(expected);
    expect(c.stats.sessions).toBe(2);
  });
});
