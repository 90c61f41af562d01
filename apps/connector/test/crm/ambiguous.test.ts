/**
 * Decision 0006 through the real client (BullMQ queue on the real Redis, batches, retries) against the
 * Bitrix24 emulator whose answers are lost AFTER it ran the request (a proxy's bare 503, a hang cut
 * by the client's timeout, a reset): every command's effect happens exactly once and every command
 * ends in success — register (also chained with its finish), finish, attachRecord, a task.
 */
import { afterAll, describe, expect, it } from "vitest";
import { startB24Emulator } from "@asterisk-b24/testkit";
import { B24Client, webhookAuth, type ChainResult } from "../../src/crm/index.js";
import { dropPrefix, newRedis, redisOrSkip, uniquePrefix } from "./helpers.js";

const up = await redisOrSkip();
const USERS = [{ ID: 1, NAME: "Anna", UF_PHONE_INNER: "101", ACTIVE: true }];
const prefixes: string[] = [];
const cleanup: Array<() => Promise<unknown>> = [];

afterAll(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => {});
  if (!up) return;
  const r = newRedis();
  for (const p of prefixes) await dropPrefix(r, p);
  r.disconnect();
});

const WAV = Buffer.from("RIFF$\u0000\u0000\u0000WAVEfmt ").toString("base64");

function ok(r: ChainResult, name: string): { result: unknown; fromPortalState?: string } {
  const o = r[name];
  if (!o?.ok) throw new Error(`${name} failed: ${o ? o.error.message : "no outcome"}`);
  return o;
}

describe.skipIf(!up)("answers lost after the portal ran the request", () => {
  it("register, register→finish chains, finish, attachRecord and tasks: each effect once, every command a success", async () => {
    const emu = await startB24Emulator({
      webhook: { userId: 1, code: "secret" },
      users: USERS,
      limits: false,
      faults: { share503After: 0.25, shareResetAfter: 0.1, shareHangAfter: 0.05, share503: 0.05, seed: 11 },
    });
    const prefix = uniquePrefix("crm-ambiguous");
    prefixes.push(prefix);
    const client = new B24Client({
      portal: "p",
      prefix,
      auth: webhookAuth(emu.webhookUrl),
      retry: { baseDelayMs: 50, maxDelayMs: 400 },
      http: { timeoutMs: 1000 },
      batch: { maxCommands: 4, windowMs: 5 },
      lanes: 4,
    });
    cleanup.push(
      () => emu.close(),
      () => client.close(),
    );
    const n = 24;
    const ext = (i: number) => `${prefix}.${i}`;
    const reg = (i: number) => ({ USER_ID: 1, PHONE_NUMBER: `+7900${String(i).padStart(7, "0")}`, TYPE: 2, EXTERNAL_CALL_ID: ext(i), SHOW: 0 });
    const fin = (callId: string) => ({ CALL_ID: callId, USER_ID: 1, DURATION: 12, STATUS_CODE: "200" });

    // Even calls: register at ring, finish later. Odd calls: start missed, register and finish in one chain.
    const results = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        let callId: string;
        const settled: string[] = [];
        if (i % 2 === 0) {
          const r = await client.chain([{ name: "reg", method: "telephony.externalcall.register", params: reg(i) }]);
          callId = (ok(r, "reg").result as { CALL_ID: string }).CALL_ID;
          const f = await client.chain([{ name: "fin", method: "telephony.externalcall.finish", params: fin(callId) }]);
          ok(f, "fin");
          settled.push(...[ok(r, "reg").fromPortalState, ok(f, "fin").fromPortalState].filter((x): x is string => !!x));
        } else {
          const r = await client.chain([
            { name: "reg", method: "telephony.externalcall.register", params: reg(i) },
            { name: "fin", method: "telephony.externalcall.finish", params: fin("$result[reg][CALL_ID]") },
          ]);
          callId = (ok(r, "reg").result as { CALL_ID: string }).CALL_ID;
          ok(r, "fin");
          settled.push(...[ok(r, "reg").fromPortalState, ok(r, "fin").fromPortalState].filter((x): x is string => !!x));
        }
        const rest = await client.chain([
          { name: "rec", method: "telephony.externalCall.attachRecord", params: { CALL_ID: callId, FILENAME: `call-${i}.wav`, FILE_CONTENT: WAV } },
          { name: "task", method: "tasks.task.add", params: { fields: { TITLE: `Call back ${i}`, RESPONSIBLE_ID: 1, XML_ID: `asterisk-b24:missed:${ext(i)}` } } },
        ]);
        settled.push(...[ok(rest, "rec").fromPortalState, ok(rest, "task").fromPortalState].filter((x): x is string => !!x));
        return { callId, settled };
      }),
    );

    const f = emu.stats().faults;
    expect(f.s503After + f.resetAfter + f.hangAfter).toBeGreaterThanOrEqual(3); // the hazard was there
    // ...and was met by reading the portal's state, not by blind re-sending
    expect(results.flatMap((r) => r.settled).length).toBeGreaterThan(0);

    const calls = emu.calls();
    expect(calls).toHaveLength(n); // never a second call for an EXTERNAL_CALL_ID
    expect(new Set(calls.map((c) => c.EXTERNAL_CALL_ID)).size).toBe(n);
    expect(new Set(results.map((r) => r.callId)).size).toBe(n);
    for (const c of calls) {
      expect(c.finish, c.CALL_ID).toBeDefined();
      expect(c.records, c.CALL_ID).toHaveLength(1); // attached once (a repeat would replace it and count twice)
    }
    const tasks = emu.snapshot().tasks as Array<{ xmlId: string | null }>;
    expect(tasks).toHaveLength(n);
    expect(new Set(tasks.map((t) => t.xmlId)).size).toBe(n);
    // no finish ever reached the portal for a call already finished
    expect(emu.requests().filter((r) => (r.error ?? "").startsWith("Call is not found"))).toEqual([]);
  }, 120_000);
});
