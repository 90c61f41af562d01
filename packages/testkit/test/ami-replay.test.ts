import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AmiMessage, AmiParser, serializeFields, type AmiField } from "@asterisk-b24/ami";
import { startAmiReplayServer, type AmiReplayServer, type AmiReplayServerOptions } from "../src/index.js";

/** A raw AMI connection: writes actions verbatim, collects parsed messages and the greeting. */
class RawAmi {
  readonly messages: AmiMessage[] = [];
  greeting = "";
  closed = false;
  raw = "";
  #socket: Socket;
  #waiters: (() => void)[] = [];

  constructor(server: AmiReplayServer) {
    const parser = new AmiParser({
      onGreeting: (g) => (this.greeting = g.raw),
      onMessage: (m) => {
        this.messages.push(m);
        this.#wake();
      },
    });
    this.#socket = connect(server.port, server.host);
    this.#socket.on("data", (c: Buffer) => {
      this.raw += c.toString("latin1");
      parser.push(c);
    });
    this.#socket.on("close", () => {
      this.closed = true;
      this.#wake();
    });
    this.#socket.on("error", () => {});
  }

  send(fields: AmiField[]): void {
    this.#socket.write(serializeFields(fields));
  }

  async waitFor(predicate: (messages: AmiMessage[]) => boolean): Promise<void> {
    while (!predicate(this.messages)) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  async reply(actionId: string): Promise<AmiMessage> {
    await this.waitFor((ms) => ms.some((m) => m.actionId === actionId && m.response !== undefined));
    return this.messages.find((m) => m.actionId === actionId && m.response !== undefined)!;
  }

  async login(secret = "secret"): Promise<AmiMessage> {
    this.send([
      ["Action", "Login"],
      ["ActionID", "L"],
      ["Username", "crm"],
      ["Secret", secret],
    ]);
    return this.reply("L");
  }

  async untilClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }
}

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
async function start(options: AmiReplayServerOptions = {}): Promise<AmiReplayServer> {
  const s = await startAmiReplayServer(options);
  cleanups.push(() => s.close());
  return s;
}
function raw(s: AmiReplayServer): RawAmi {
  const r = new RawAmi(s);
  cleanups.push(() => r.destroy());
  return r;
}

describe("AMI replay server: protocol", () => {
  it("greets, accepts the right Login, refuses a wrong one like Asterisk (and closes)", async () => {
    const s = await start({ username: "crm", secret: "s3" });
    expect(s.host).toBe("127.0.0.1");
    expect(s.port).toBeGreaterThan(0);
    const ok = raw(s);
    expect((await ok.login("s3")).fields).toEqual([
      ["Response", "Success"],
      ["ActionID", "L"],
      ["Message", "Authentication accepted"],
    ]);
    expect(ok.greeting).toBe("Asterisk Call Manager/11.0.0");
    expect(ok.raw.startsWith("Asterisk Call Manager/11.0.0\r\n")).toBe(true);

    const bad = raw(s);
    expect((await bad.login("nope")).fields).toEqual([
      ["Response", "Error"],
      ["ActionID", "L"],
      ["Message", "Authentication failed"],
    ]);
    await bad.untilClosed();
    expect(s.logins).toBe(1);
    // the action log masks the secret
    expect(s.actions.map((a) => a.get("Secret"))).toEqual(["********", "********"]);
  });

  it("refuses actions before Login", async () => {
    const s = await start();
    const r = raw(s);
    r.send([
      ["Action", "Ping"],
      ["ActionID", "p"],
    ]);
    expect((await r.reply("p")).get("Message")).toBe("Permission denied");
  });

  it("answers Ping, Events, Filter, unknown actions, Logoff (Goodbye + close)", async () => {
    const s = await start();
    const r = raw(s);
    await r.login();
    r.send([
      ["Action", "Ping"],
      ["ActionID", "1"],
    ]);
    const pong = await r.reply("1");
    expect(pong.get("Ping")).toBe("Pong");
    expect(pong.get("Timestamp")).toMatch(/^\d+\.\d{6}$/);
    r.send([
      ["Action", "Events"],
      ["ActionID", "2"],
      ["EventMask", "off"],
    ]);
    expect((await r.reply("2")).get("Events")).toBe("Off");
    r.send([
      ["Action", "Filter"],
      ["ActionID", "3"],
      ["Operation", "Add"],
      ["Filter", "Event: Newchannel"],
    ]);
    expect((await r.reply("3")).get("Message")).toBe("Filter Added Successfully");
    r.send([
      ["Action", "Filter"],
      ["ActionID", "3b"],
      ["Operation", "Add"],
      ["Filter", "(unclosed"],
    ]);
    expect((await r.reply("3b")).fields).toEqual([
      ["Response", "Error"],
      ["ActionID", "3b"],
      ["Message", "Filter Not Added"],
    ]);
    r.send([
      ["Action", "FooBar"],
      ["ActionID", "4"],
    ]);
    expect((await r.reply("4")).fields).toEqual([
      ["Response", "Error"],
      ["ActionID", "4"],
      ["Message", "Invalid/unknown command"],
    ]);
    r.send([
      ["Action", "Logoff"],
      ["ActionID", "5"],
    ]);
    expect((await r.reply("5")).fields).toEqual([
      ["Response", "Goodbye"],
      ["ActionID", "5"],
      ["Message", "Thanks for all the fish."],
    ]);
    await r.untilClosed();
  });

  it("stops answering Ping on request", async () => {
    const s = await start();
    const r = raw(s);
    await r.login();
    s.setAnswerPing(false);
    r.send([
      ["Action", "Ping"],
      ["ActionID", "silent"],
    ]);
    r.send([
      ["Action", "Events"],
      ["ActionID", "after"],
      ["EventMask", "on"],
    ]);
    await r.reply("after");
    expect(r.messages.some((m) => m.actionId === "silent")).toBe(false);
  });

  it("answers Command in the Asterisk 14+ and the <= 13 wire format", async () => {
    const modern = await start({ commandOutputs: { "sip show peers": "Name/username\n\n101/101" } });
    const m = raw(modern);
    await m.login();
    m.send([
      ["Action", "Command"],
      ["ActionID", "c"],
      ["Command", "sip show peers"],
    ]);
    await m.reply("c");
    expect(m.raw).toContain("Response: Success\r\nActionID: c\r\nMessage: Command output follows\r\nOutput: Name/username\r\nOutput: \r\nOutput: 101/101\r\n\r\n");

    const legacy = await start({ commandFormat: "legacy", commandOutputs: { "sip show peers": "Name/username\n\n101/101" } });
    const l = raw(legacy);
    await l.login();
    l.send([
      ["Action", "Command"],
      ["ActionID", "c"],
      ["Command", "sip show peers"],
    ]);
    const reply = await l.reply("c");
    expect(l.raw).toContain("Response: Follows\r\nPrivilege: Command\r\nActionID: c\r\nName/username\n\n101/101\n--END COMMAND--\r\n\r\n");
    expect(reply.getAll("Output")).toEqual(["Name/username", "", "101/101"]);
  });

  it("queues a synthetic Originate and sends OriginateResponse echoing the ActionID", async () => {
    const s = await start();
    const r = raw(s);
    await r.login();
    r.send([
      ["Action", "Originate"],
      ["ActionID", "o-1"],
      ["Channel", "PJSIP/101"],
      ["Context", "from-internal"],
      ["Exten", "89161234567"],
      ["Priority", "1"],
      ["CallerID", '"Client" <89161234567>'],
      ["Async", "true"],
    ]);
    expect((await r.reply("o-1")).get("Message")).toBe("Originate successfully queued");
    await r.waitFor((ms) => ms.some((m) => m.event === "OriginateResponse"));
    const ev = r.messages.find((m) => m.event === "OriginateResponse")!;
    expect(ev.toObject()).toMatchObject({
      ActionID: "o-1",
      Response: "Success",
      Channel: "PJSIP/101",
      Exten: "89161234567",
      Reason: "4",
      CallerIDNum: "89161234567",
      CallerIDName: "Client",
    });
  });

  it("lists the live channels of the replay in CoreShowChannels (EventList)", async () => {
    const s = await start({ recordings: ["01_inbound_ext101_answered"] });
    const r = raw(s);
    await r.login();
    await s.done;
    r.send([
      ["Action", "CoreShowChannels"],
      ["ActionID", "csc"],
    ]);
    await r.waitFor((ms) => ms.some((m) => m.event === "CoreShowChannelsComplete"));
    const reply = r.messages.filter((m) => m.actionId === "csc");
    expect(reply[0]!.fields).toEqual([
      ["Response", "Success"],
      ["ActionID", "csc"],
      ["EventList", "start"],
      ["Message", "Channels will follow"],
    ]);
    // the recording ends with every channel hung up
    expect(reply.map((m) => m.event ?? "response")).toEqual(["response", "CoreShowChannelsComplete"]);
    expect(reply[1]!.get("ListItems")).toBe("0");
    expect(s.liveChannels()).toEqual([]);
  });

  it("logs every action with the Secret masked", async () => {
    const lines: string[] = [];
    const log = (obj: object, msg?: string) => void lines.push(JSON.stringify({ ...obj, msg }));
    const s = await start({ secret: "very-secret", logger: { debug: log, info: log, warn: log, error: log } });
    const r = raw(s);
    await r.login("very-secret");
    r.send([
      ["Action", "Ping"],
      ["ActionID", "x"],
    ]);
    await r.reply("x");
    const actionLines = lines.filter((l) => l.includes("action received"));
    expect(actionLines).toHaveLength(2);
    expect(lines.join("\n")).not.toContain("very-secret");
  });
});
