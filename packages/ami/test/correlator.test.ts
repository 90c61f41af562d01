import { describe, expect, it } from "vitest";
import { ActionCorrelator, AmiActionTimeoutError, AmiDisconnectedError, AmiMessage } from "../src/index.js";

const msg = (o: Record<string, string>) => AmiMessage.from(o);

describe("ActionCorrelator: EventList aggregation", () => {
  it("aggregates start … items … Complete into one result", async () => {
    const c = new ActionCorrelator();
    const p = c.register("CoreShowChannels", "a-1", 10_000, false);
    expect(c.handle(msg({ Response: "Success", ActionID: "a-1", EventList: "start", Message: "Channels will follow" }))).toBe(true);
    expect(c.handle(msg({ Event: "CoreShowChannel", ActionID: "a-1", Channel: "PJSIP/101-00000001" }))).toBe(true);
    expect(c.handle(msg({ Event: "Newchannel", Channel: "unrelated" }))).toBe(false);
    expect(c.handle(msg({ Event: "CoreShowChannel", ActionID: "a-1", Channel: "PJSIP/102-00000002" }))).toBe(true);
    expect(c.handle(msg({ Event: "CoreShowChannelsComplete", ActionID: "a-1", EventList: "Complete", ListItems: "2" }))).toBe(true);
    const r = await p;
    expect(r.ok).toBe(true);
    expect(r.cancelled).toBe(false);
    expect(r.events.map((e) => e.get("Channel"))).toEqual(["PJSIP/101-00000001", "PJSIP/102-00000002"]);
    expect(r.complete?.get("ListItems")).toBe("2");
    expect(c.size).toBe(0);
  });

  it("keeps interleaved lists of two actions apart", async () => {
    const c = new ActionCorrelator();
    const p1 = c.register("QueueStatus", "q-1", 10_000, false);
    const p2 = c.register("CoreShowChannels", "q-2", 10_000, false);
    c.handle(msg({ Response: "Success", ActionID: "q-1", EventList: "start" }));
    c.handle(msg({ Response: "Success", ActionID: "q-2", EventList: "start" }));
    c.handle(msg({ Event: "QueueMember", ActionID: "q-1", Name: "a" }));
    c.handle(msg({ Event: "CoreShowChannel", ActionID: "q-2", Channel: "b" }));
    c.handle(msg({ Event: "CoreShowChannelsComplete", ActionID: "q-2", EventList: "Complete" }));
    c.handle(msg({ Event: "QueueMember", ActionID: "q-1", Name: "c" }));
    c.handle(msg({ Event: "QueueStatusComplete", ActionID: "q-1", EventList: "Complete" }));
    expect((await p1).events.map((e) => e.get("Name"))).toEqual(["a", "c"]);
    expect((await p2).events.map((e) => e.get("Channel"))).toEqual(["b"]);
  });

  it("reports a cancelled list", async () => {
    const c = new ActionCorrelator();
    const p = c.register("Status", "s-1", 10_000, false);
    c.handle(msg({ Response: "Success", ActionID: "s-1", EventList: "start" }));
    c.handle(msg({ Event: "Status", ActionID: "s-1" }));
    c.handle(msg({ Event: "StatusComplete", ActionID: "s-1", EventList: "cancelled" }));
    const r = await p;
    expect(r.cancelled).toBe(true);
    expect(r.ok).toBe(false);
    expect(r.events).toHaveLength(1);
  });

  it('handles pre-13.2 lists ("will follow" … *Complete without EventList)', async () => {
    const c = new ActionCorrelator();
    const p = c.register("SIPpeers", "o-1", 10_000, false);
    c.handle(msg({ Response: "Success", ActionID: "o-1", Message: "Peer status list will follow" }));
    c.handle(msg({ Event: "PeerEntry", ActionID: "o-1", ObjectName: "101" }));
    c.handle(msg({ Event: "PeerlistComplete", ActionID: "o-1", ListItems: "1" }));
    const r = await p;
    expect(r.events.map((e) => e.get("ObjectName"))).toEqual(["101"]);
    expect(r.complete?.event).toBe("PeerlistComplete");
  });

  it("resolves plain and error responses; Error gives ok=false", async () => {
    const c = new ActionCorrelator();
    const p1 = c.register("Ping", "p-1", 10_000, false);
    const p2 = c.register("Foo", "p-2", 10_000, false);
    c.handle(msg({ Response: "Error", ActionID: "p-2", Message: "Invalid/unknown command" }));
    c.handle(msg({ Response: "Success", ActionID: "p-1", Ping: "Pong" }));
    expect((await p1).ok).toBe(true);
    expect((await p2).ok).toBe(false);
    expect(c.handle(msg({ Response: "Success", ActionID: "p-1" }))).toBe(false);
  });

  it("times out each action and fails all pending at once", async () => {
    const c = new ActionCorrelator();
    const t = c.register("Ping", "t-1", 5, false);
    await expect(t).rejects.toBeInstanceOf(AmiActionTimeoutError);
    const a = c.register("A", "f-1", 10_000, false);
    const b = c.register("B", "f-2", 10_000, true);
    expect(c.userPending).toBe(1);
    c.failAll((action, id) => new AmiDisconnectedError("socket-closed", { action, actionId: id }));
    await expect(a).rejects.toMatchObject({ name: "AmiDisconnectedError", reason: "socket-closed", actionId: "f-1" });
    await expect(b).rejects.toBeInstanceOf(AmiDisconnectedError);
    expect(c.size).toBe(0);
    expect(c.userPending).toBe(0);
  });
});
