import { describe, expect, it } from "vitest";
import { AmiActionTimeoutError, AmiMessage, EventQueue, Keepalive, silentLogger } from "../src/index.js";

describe("Keepalive", () => {
  it("declares the connection dead when a Pong misses its deadline", async () => {
    let pings = 0;
    const dead = new Promise<void>((resolve) => {
      const k = new Keepalive(
        { intervalMs: 1, timeoutMs: 1 },
        {
          ping: async () => {
            pings++;
            if (pings < 3) return; // first two Pongs arrive
            throw new AmiActionTimeoutError("Ping", "p", 1);
          },
          pauseState: () => ({ paused: false, pauses: 0 }),
          onDead: resolve,
          logger: silentLogger,
        },
      );
      k.start();
    });
    await dead;
    expect(pings).toBe(3);
  });

  it("does not count a missed Pong while the socket is paused by backpressure", async () => {
    let pings = 0;
    let paused = true;
    let pauses = 1;
    const dead = new Promise<number>((resolve) => {
      const k = new Keepalive(
        { intervalMs: 1, timeoutMs: 1 },
        {
          ping: async () => {
            pings++;
            if (pings === 2) pauses++; // paused again during this ping
            if (pings === 3) paused = false;
            throw new AmiActionTimeoutError("Ping", "p", 1);
          },
          pauseState: () => ({ paused, pauses }),
          onDead: () => resolve(pings),
          logger: silentLogger,
        },
      );
      k.start();
    });
    // ping 1: paused → excused; 2: paused again meanwhile → excused; 3: paused at its start → excused; 4: dead
    expect(await dead).toBe(4);
  });
});

describe("EventQueue", () => {
  it("delivers in order to one consumer, one at a time, signals high/low water, survives handler errors", async () => {
    const signals: string[] = [];
    const q = new EventQueue({ highWaterMark: 3, lowWaterMark: 1, onHigh: () => signals.push("high"), onLow: () => signals.push("low"), logger: silentLogger });
    for (let i = 0; i < 5; i++) q.push(AmiMessage.from({ Event: "E", N: i }));
    expect(signals).toEqual(["high"]);
    const seen: string[] = [];
    let active = 0;
    q.setHandler(async (m) => {
      active++;
      expect(active).toBe(1);
      await new Promise((r) => setImmediate(r));
      seen.push(m.get("N")!);
      active--;
      if (m.get("N") === "2") throw new Error("consumer bug");
    });
    expect(() => q.setHandler(() => {})).toThrow();
    await q.idle();
    expect(seen).toEqual(["0", "1", "2", "3", "4"]);
    expect(signals).toEqual(["high", "low"]);
    expect(q.handlerErrors).toBe(1);
    expect(q.delivered).toBe(5);
  });
});
