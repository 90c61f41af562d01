/**
 * A real 2-minute portal outage (first half gateway 503 pages, second half connection resets) while
 * calls keep coming: everything is delivered afterwards, nothing twice. B24_OUTAGE_MS shortens it for
 * local iterations; the default is the 2 minutes.
 */
import { afterAll, describe, expect, it } from "vitest";
import { startB24Emulator } from "@asterisk-b24/testkit";
import { B24Client, webhookAuth, type ChainResult } from "../../src/crm/index.js";
import { dropPrefix, newRedis, redisOrSkip, uniquePrefix } from "./helpers.js";

const up = await redisOrSkip();
const OUTAGE_MS = Number(process.env.B24_OUTAGE_MS ?? 120_000);
const prefix = uniquePrefix("crm-outage");

afterAll(async () => {
  if (!up) return;
  const r = newRedis();
  await dropPrefix(r, prefix);
  r.disconnect();
});

describe.skipIf(!up)("portal outage", () => {
  it(`${OUTAGE_MS / 1000} s outage: every call delivered afterwards, none twice`, { timeout: OUTAGE_MS + 180_000 }, async () => {
    const emu = await startB24Emulator({ webhook: { userId: 1, code: "k" }, users: [{ ID: 1, NAME: "Anna", UF_PHONE_INNER: "101", ACTIVE: true }] });
    const client = new B24Client({ portal: "p", prefix, auth: webhookAuth(emu.webhookUrl), lanes: 4, retry: { baseDelayMs: 250, maxDelayMs: 5000 }, http: { timeoutMs: 10_000 } });
    try {
      let seq = 0;
      const startCall = () => {
        const i = seq++;
        return client.chain([
          {
            name: "reg",
            method: "telephony.externalcall.register",
            params: { USER_ID: 1, PHONE_NUMBER: `+7902${String(i).padStart(7, "0")}`, TYPE: 2, EXTERNAL_CALL_ID: `out-${i}`, SHOW: 0 },
          },
          { name: "show", method: "telephony.externalcall.show", params: { CALL_ID: "$result[reg][CALL_ID]", USER_ID: 1 } },
        ]);
      };
      const before = await Promise.all(Array.from({ length: 50 }, startCall));
      emu.setFaults({ outageMs: OUTAGE_MS / 2, outageMode: "503" });
      const during: Array<Promise<ChainResult>> = [];
      for (let i = 0; i < 100; i++) during.push(startCall());
      await new Promise((r) => setTimeout(r, OUTAGE_MS / 2));
      emu.setFaults({ outageMs: OUTAGE_MS / 2, outageMode: "reset" });
      for (let i = 0; i < 100; i++) during.push(startCall());
      const regs = [...before, ...(await Promise.all(during))];
      const ids = regs.map((r) => {
        expect(r.reg!.ok).toBe(true);
        return (r.reg as { result: { CALL_ID: string } }).result.CALL_ID;
      });
      const fins = await Promise.all(ids.map((id) => client.call("telephony.externalcall.finish", { CALL_ID: id, USER_ID: 1, DURATION: 60 })));
      expect(fins).toHaveLength(250);
      const st = emu.stats();
      expect(st.faults.outage).toBeGreaterThan(0);
      const calls = emu.calls();
      expect(calls).toHaveLength(250);
      expect(new Set(calls.map((c) => c.EXTERNAL_CALL_ID)).size).toBe(250);
      expect(calls.filter((c) => c.finish)).toHaveLength(250);
      expect(st.callsFinished).toBe(250);
    } finally {
      await client.close();
      await emu.close();
    }
  });
});
