import { afterEach, describe, expect, it } from "vitest";
import {
  AmiActionTimeoutError,
  AmiActionValueError,
  AmiDisconnectedError,
  AmiLoginError,
  commandOutput,
  type AmiClient,
  type AmiConnectedInfo,
  type AmiDisconnectedInfo,
  type AmiMessage,
  type AmiReconnectingInfo,
} from "../src/index.js";
import { startAmiReplayServer, type AmiReplayServer, type AmiReplayServerOptions } from "../../testkit/src/index.js";
import { clientFor, next, recordingLogger, until } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function server(options: AmiReplayServerOptions = {}): Promise<AmiReplayServer> {
  const s = await startAmiReplayServer(options);
  cleanups.push(() => s.close());
  return s;
}
function client(s: AmiReplayServer, options: Parameters<typeof clientFor>[1] = {}): AmiClient {
  const c = clientFor(s, options);
  cleanups.push(() => c.close());
  return c;
}

describe("AmiClient over TCP against the replay server", () => {
  it("logs in (Events on), reports the greeting, and correlates 5,000 concurrent Pings", async () => {
    const s = await server();
    const c = client(s);
    const info = await c.connect();
    expect(info).toMatchObject({ reconnect: false, session: 1 });
    expect(info.greeting?.version).toBe("11.0.0");
    expect(s.actions[0]!.fields).toEqual([
      ["Action", "Login"],
      ["ActionID", expect.any(String)],
      ["Username", "crm"],
      ["Secret", "********"],
      ["Events", "on"],
    ]);

    const results = await Promise.all(Array.from({ length: 5000 }, () => c.action({ Action: "Ping" })));
    const ids = results.map((r) => r.actionId);
    expect(new Set(ids).size).toBe(5000);
    for (const r of results) {
      expect(r.response.actionId).toBe(r.actionId);
      expect(r.response.get("Ping")).toBe("Pong");
    }
    // session prefix + monotonic counter
    const counters = ids.map((id) => Number(id.slice(c.actionIdPrefix.length)));
    expect(counters).toEqual([...counters].sort((a, b) => a - b));
    expect(ids.every((id) => id.startsWith(c.actionIdPrefix))).toBe(true);
  });

  it("correlates mixed concurrent actions (lists, Command, Originate, errors), each gets its own reply", async () => {
    const s = await server({ commandOutputs: { "pjsip show endpoints": "Endpoint: 101\nEndpoint: 102" } });
    const c = client(s);
    const originateResponses: AmiMessage[] = [];
    c.consume((m) => {
      if (m.event === "OriginateResponse") originateResponses.push(m);
    });
    await c.connect();
    const jobs = Array.from({ length: 1000 }, (_, i) => {
      switch (i % 5) {
        case 0:
          return c.action({ Action: "Ping" }).then((r) => ["ping", r] as const);
        case 1:
          return c.action({ Action: "CoreShowChannels" }).then((r) => ["csc", r] as const);
        case 2:
          return c.action({ Action: "Command", Command: "pjsip show endpoints" }).then((r) => ["cmd", r] as const);
        case 3:
          return c
            .action({ Action: "Originate", Channel: "PJSIP/101", Context: "from-internal", Exten: String(100000 + i), Priority: 1, Async: true })
            .then((r) => ["orig", r] as const);
        default:
          return c.action({ Action: "NoSuchAction" }).then((r) => ["bad", r] as const);
      }
    });
    const results = await Promise.all(jobs);
    for (const [kind, r] of results) {
      expect(r.response.actionId).toBe(r.actionId);
      if (kind === "ping") expect(r.response.get("Ping")).toBe("Pong");
      if (kind === "csc") {
        expect(r).toMatchObject({ ok: true, events: [] });
        expect(r.complete?.get("ListItems")).toBe("0");
      }
      if (kind === "cmd") expect(commandOutput(r.response)).toEqual(["Endpoint: 101", "Endpoint: 102"]);
      if (kind === "orig") expect(r.response.get("Message")).toBe("Originate successfully queued");
      if (kind === "bad") {
        expect(r.ok).toBe(false);
        expect(r.response.get("Message")).toBe("Invalid/unknown command");
      }
    }
    // every async Originate's OriginateResponse reaches the consumer with that Originate's ActionID
    await until(() => originateResponses.length === 200);
    const originateIds = results.filter(([k]) => k === "orig").map(([, r]) => r.actionId);
    expect(originateResponses.map((m) => m.actionId).sort()).toEqual([...originateIds].sort());
  });

  it("parses both Command reply formats to the same output", async () => {
    const outputs = { "core show channels": "Channel              Location\n\nUptime: 5\n0 active channels" };
    for (const commandFormat of ["modern", "legacy"] as const) {
      const s = await server({ commandFormat, commandOutputs: outputs });
      const c = client(s);
      await c.connect();
      const r = await c.action({ Action: "Command", Command: "core show channels" });
      expect(r.response.response).toBe(commandFormat === "legacy" ? "Follows" : "Success");
      expect(commandOutput(r.response)).toEqual(["Channel              Location", "", "Uptime: 5", "0 active channels"]);
    }
  });

  it("times out an action that gets no reply (AmiActionTimeoutError) and keeps working", async () => {
    const s = await server({ silentActions: ["UserEvent"] });
    const c = client(s);
    await c.connect();
    const err = await c.action({ Action: "UserEvent", UserEvent: "x" }, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmiActionTimeoutError);
    expect(err).toMatchObject({ action: "UserEvent", timeoutMs: 50 });
    expect((await c.action({ Action: "Ping" })).ok).toBe(true);
  });

  it("fails every pending action at once when the connection drops, then reconnects", async () => {
    const s = await server({ silentActions: ["UserEvent"] });
    const c = client(s);
    await c.connect();
    const pending = Array.from({ length: 20 }, (_, i) => c.action({ Action: "UserEvent", UserEvent: `e${i}` }, { timeoutMs: 60_000 }).catch((e: unknown) => e));
    await until(() => s.actions.length === 21);
    const disconnected = next<AmiDisconnectedInfo>(c, "disconnected");
    const reconnected = next<AmiConnectedInfo>(c, "connected");
    s.dropConnections();
    const errors = await Promise.all(pending);
    for (const e of errors) {
      expect(e).toBeInstanceOf(AmiDisconnectedError);
      expect((e as AmiDisconnectedError).reason).toBe("socket-closed");
    }
    expect(await disconnected).toMatchObject({ reason: "socket-closed", willReconnect: true });
    expect(await reconnected).toMatchObject({ reconnect: true, session: 2 });
    expect(c.stats.pending).toBe(0);
    // the new session works
    expect((await c.action({ Action: "Ping" })).ok).toBe(true);
  });

  it("detects a half-open connection (no Pong) and reconnects", async () => {
    const s = await server();
    const c = client(s, { keepalive: { intervalMs: 20, timeoutMs: 50 } });
    await c.connect();
    const disconnected = next<AmiDisconnectedInfo>(c, "disconnected");
    s.setAnswerPing(false);
    expect(await disconnected).toMatchObject({ reason: "keepalive-timeout", willReconnect: true });
    s.setAnswerPing(true);
    const info = await next<AmiConnectedInfo>(c, "connected");
    expect(info.reconnect).toBe(true);
    expect(s.logins).toBeGreaterThanOrEqual(2);
  });

  it("reconnects with capped exponential backoff while the PBX is down", async () => {
    const s1 = await startAmiReplayServer();
    const port = s1.port;
    const c = client(s1, { reconnect: { initialDelayMs: 5, multiplier: 2, maxDelayMs: 40, jitter: 0 } });
    await c.connect();
    const attempts: AmiReconnectingInfo[] = [];
    c.on("reconnecting", (i) => attempts.push(i));
    await s1.close();
    await until(() => attempts.length >= 6);
    const s2 = await server({ port });
    const info = await next<AmiConnectedInfo>(c, "connected");
    expect(info.reconnect).toBe(true);
    expect(attempts.slice(0, 6).map((a) => a.delayMs)).toEqual([5, 10, 20, 40, 40, 40]);
    expect(attempts.slice(0, 6).map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(attempts[0]!.reason).toBe("socket-closed");
    expect(attempts.slice(1).every((a) => a.reason === "socket-error")).toBe(true); // ECONNREFUSED
    expect(s2.logins).toBe(1);
  });

  it("jitters the reconnect delay", async () => {
    const s = await server();
    const c = client(s, { reconnect: { initialDelayMs: 100, jitter: 0.5 }, random: () => 0 });
    await c.connect();
    const r = next<AmiReconnectingInfo>(c, "reconnecting");
    s.dropConnections();
    expect((await r).delayMs).toBe(50);
  });

  it("stops on a wrong login with AmiLoginError: no retry loop", async () => {
    const s = await server({ secret: "right" });
    const logger = recordingLogger();
    const c = client(s, { secret: "wrong-secret-123", logger });
    const emitted: Error[] = [];
    const reconnecting: unknown[] = [];
    c.on("error", (e) => emitted.push(e));
    c.on("reconnecting", (i) => reconnecting.push(i));
    const err = await c.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmiLoginError);
    expect((err as AmiLoginError).serverMessage).toBe("Authentication failed");
    expect(emitted).toEqual([err]);
    expect(c.state).toBe("failed");
    // give a retry loop every chance to show up (20× the first backoff delay), then count logins
    await new Promise((r) => setTimeout(r, 200));
    expect(s.actions.filter((a) => a.get("Action") === "Login")).toHaveLength(1);
    expect(reconnecting).toEqual([]);
    expect(logger.lines.join("\n")).not.toContain("wrong-secret-123");
    await expect(c.action({ Action: "Ping" })).rejects.toBeInstanceOf(AmiDisconnectedError);
  });

  it("refuses CR/LF in action keys and values: nothing reaches the server", async () => {
    const s = await server();
    const c = client(s);
    await c.connect();
    const phoneFromCrm = "79161234567\r\nAction: Hangup\r\nChannel: PJSIP/102-00000001";
    const refused = [
      c.action({ Action: "Originate", Channel: "PJSIP/101", Context: "from-internal", Exten: phoneFromCrm, Priority: 1 }),
      c.action({ Action: "Originate", Channel: "PJSIP/101", Exten: "1", CallerID: "Name\nAction: Logoff" }),
      c.action({ Action: "Originate", Channel: "PJSIP/101", Variable: ["A=1", "B=\r\n"] }),
      c.action({ Action: "Originate", "Exten\r\nAction: Hangup": "1" }),
      c.action({ Action: "Originate", "Bad Key": "1" }),
      c.action({ Action: "Ping", ActionID: "mine" }),
    ];
    for (const p of refused) await expect(p).rejects.toBeInstanceOf(AmiActionValueError);
    expect((await c.action({ Action: "Ping" })).ok).toBe(true);
    expect(s.actions.map((a) => a.get("Action"))).toEqual(["Login", "Ping"]);
  });

  it("never logs the secret", async () => {
    const s = await server({ secret: "top-secret-42" });
    const logger = recordingLogger();
    const c = client(s, { secret: "top-secret-42", logger, keepalive: { intervalMs: 10, timeoutMs: 1000 } });
    await c.connect();
    await c.action({ Action: "Ping" });
    s.dropConnections();
    await next(c, "connected");
    await c.close();
    expect(logger.lines.length).toBeGreaterThan(3);
    expect(logger.lines.join("\n")).not.toContain("top-secret-42");
  });

  it("sends server-side event filters after login", async () => {
    const s = await server({ recordings: ["01_inbound_ext101_answered"] });
    const c = client(s, { eventFilters: ["Event: Newchannel", "!Channel: PJSIP/provider"] });
    const got: AmiMessage[] = [];
    c.consume((m) => void got.push(m));
    await c.connect();
    await s.done;
    await c.action({ Action: "Ping" }); // everything before the Pong has been read
    await c.drained();
    expect(s.actions.map((a) => a.get("Action"))).toEqual(["Login", "Filter", "Filter", "Events", "Ping"]);
    expect(s.actions[0]!.get("Events")).toBe("off");
    expect(s.actions.filter((a) => a.get("Action") === "Filter").map((a) => a.get("Filter"))).toEqual(["Event: Newchannel", "!Channel: PJSIP/provider"]);
    expect(got.length).toBeGreaterThan(0);
    for (const m of got) {
      expect(m.event).toBe("Newchannel");
      expect(m.get("Channel")).not.toMatch(/^PJSIP\/provider/);
    }
  });

  it("close() logs off and rejects further actions", async () => {
    const s = await server();
    const c = client(s);
    await c.connect();
    await c.close();
    expect(s.actions.map((a) => a.get("Action"))).toEqual(["Login", "Logoff"]);
    expect(c.state).toBe("closed");
    await expect(c.action({ Action: "Ping" })).rejects.toMatchObject({ name: "AmiDisconnectedError", reason: "not-connected" });
  });
});
