/**
 * Real child processes (own Node process, own Redis connections, own worker each) on one portal:
 * they share the Redis bucket, so together they never exceed it; and a process killed in the middle
 * of its queue is replaced by a new one that loses nothing and duplicates nothing.
 */
import { afterAll, describe, expect, it } from "vitest";
import { startB24Emulator } from "@asterisk-b24/testkit";
import { dropPrefix, newRedis, redisOrSkip, startConnectorProcess, uniquePrefix, until } from "./helpers.js";

const up = await redisOrSkip();
const USERS = [{ ID: 1, NAME: "Anna", UF_PHONE_INNER: "101", ACTIVE: true }];
const prefixes: string[] = [];

afterAll(async () => {
  if (!up) return;
  const r = newRedis();
  for (const p of prefixes) await dropPrefix(r, p);
  r.disconnect();
});

describe.skipIf(!up)("several connector processes on one portal", () => {
  it("two processes together never exceed the shared bucket (zero 503s in a sustained run)", async () => {
    // bucket 10, drain 10/s; 2 × 300 commands in batches of 5 = 120 requests ≈ 11 s, mostly past the burst
    const emu = await startB24Emulator({ webhook: { userId: 1, code: "k" }, users: USERS, limits: { burst: 10, drainPerSec: 10 } });
    const prefix = uniquePrefix("crm-2proc");
    prefixes.push(prefix);
    try {
      const env = { B24_PREFIX: prefix, B24_WEBHOOK: emu.webhookUrl, B24_BURST: "10", B24_DRAIN: "10", B24_MAX_COMMANDS: "5", B24_LANES: "4", N_CALLS: "300", SCENARIO: "load" };
      const a = startConnectorProcess({ ...env, TAG: "a" });
      const b = startConnectorProcess({ ...env, TAG: "b" });
      const [ra, rb] = await Promise.all([a.done, b.done]);
      expect(ra).toMatchObject({ ok: 300, failed: 0 });
      expect(rb).toMatchObject({ ok: 300, failed: 0 });
      const st = emu.stats();
      expect(st.requests).toBeGreaterThanOrEqual(120);
      expect(st.batchCommands).toBe(600);
      expect(st.limitErrors).toBe(0);
      // both processes really sent requests past the burst: more than one bucket's worth each
      expect(st.requests).toBeGreaterThan(10 * 2);
    } finally {
      await emu.close();
    }
  });

  it("a process killed in the middle of its queue is replaced: nothing lost, nothing twice", async () => {
    const emu = await startB24Emulator({ webhook: { userId: 1, code: "k" }, users: USERS, limits: false, faults: { latencyMs: 250 } });
    const prefix = uniquePrefix("crm-restart");
    prefixes.push(prefix);
    const n = 200;
    try {
      const env = { B24_PREFIX: prefix, B24_WEBHOOK: emu.webhookUrl, B24_MAX_COMMANDS: "10", B24_LANES: "2", SCENARIO: "calls", FROM: "0", TO: String(n) };
      const first = startConnectorProcess(env);
      await first.ready;
      // kill it (SIGKILL: no cleanup at all) once a part of the calls is finished and batches are in flight
      await until(() => emu.stats().callsFinished >= 30);
      first.child.kill("SIGKILL");
      await new Promise((r) => first.child.once("exit", r));
      const finishedAtKill = emu.stats().callsFinished;
      expect(finishedAtKill).toBeLessThan(n);
      // a new process resumes by the deterministic entry ids (reg-i, fin-i)
      const second = startConnectorProcess(env);
      const res = await second.done;
      expect(res.errors).toEqual([]);
      expect(res.finished).toBe(n);
      const calls = emu.calls();
      expect(calls).toHaveLength(n); // one CRM call per EXTERNAL_CALL_ID …
      expect(new Set(calls.map((c) => c.EXTERNAL_CALL_ID)).size).toBe(n);
      expect(calls.filter((c) => c.finish)).toHaveLength(n); // … each finished exactly once
      expect(emu.stats().callsFinished).toBe(n);
    } finally {
      await emu.close();
    }
  });
});
