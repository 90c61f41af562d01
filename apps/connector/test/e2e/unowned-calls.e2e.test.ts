/**
 * Calls nobody owns, end to end: real Asterisk recordings replayed over AMI → connector (real
 * Redis) → b24-app gateway → strict Bitrix24 emulator, on a portal where no extension is a
 * Bitrix24 user and the caller is no CRM contact. The only user is the administrator who installed
 * the b24-app; `user.current` through the gateway names them, and the calls land on them.
 */
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { loadRecording, requireService, SERVICES, uniquePrefix, type Recording } from "@asterisk-b24/testkit";
import { silentLogger } from "../../src/log/logger.js";
import { STACK_INSTALLER_USER_ID, startStack, type Stack } from "../../src/demo/stack.js";
import { UnownedStats } from "../../src/stages/unowned-stats.js";
import { NOT_LANDED_REASON } from "../../src/stages/unowned.js";

const available = await requireService("redis");

/** The portal: its administrator only (no extension), who installed the b24-app. */
const ADMIN_ONLY = [{ ID: STACK_INSTALLER_USER_ID, NAME: "Portal", LAST_NAME: "Admin", UF_PHONE_INNER: "", ACTIVE: true }];

/** 03: missed in the sales queue (101–103 rang); 01: answered by 101. Neither extension is a Bitrix24 user here. */
const MISSED = "03_inbound_queue_missed";
const ANSWERED = "01_inbound_ext101_answered";

function linkedidOf(rec: Recording): string {
  const first = rec.messages.find((m) => m.message.get("Linkedid"));
  return first!.message.get("Linkedid")!;
}

async function statusOf(stack: Stack): Promise<{ app_status: string; problems: string[]; app: { crm: Record<string, unknown> } }> {
  const res = await fetch(`http://127.0.0.1:${stack.connector.httpPort}/status`);
  return (await res.json()) as never;
}

describe.runIf(available)("calls nobody owns land on the user of the connector's credential", () => {
  it("a missed queue call from an unknown number and a call answered only by a non-CRM extension: registered and finished on the installing admin", async () => {
    const recs = [loadRecording(MISSED), loadRecording(ANSWERED)];
    const prefix = uniquePrefix("e2e-unowned");
    const stack = await startStack({ recordings: recs, speed: "asap", redisUrl: SERVICES.redis.url, redisPrefix: prefix, contacts: [], users: ADMIN_ONLY, logger: silentLogger() });
    try {
      await stack.idle();
      const calls = stack.emu.calls();
      for (const rec of recs) {
        const mine = calls.filter((c) => c.EXTERNAL_CALL_ID === linkedidOf(rec));
        expect(mine, rec.name).toHaveLength(1);
        const call = mine[0]!;
        expect(call.USER_ID, rec.name).toBe(STACK_INSTALLER_USER_ID);
        expect(call.finish, rec.name).toBeDefined();
        expect(Number(call.finish!.params.USER_ID)).toBe(STACK_INSTALLER_USER_ID);
        if (rec.name === MISSED) expect(call.finish!.params).toMatchObject({ STATUS_CODE: "304" });
        else {
          expect(String(call.finish!.params.STATUS_CODE)).toBe("200");
          expect(Number(call.finish!.params.DURATION)).toBeGreaterThan(0);
        }
        const j = await stack.connector.journal.get(linkedidOf(rec));
        expect(j?.summary).toMatchObject({ status: "delivered", responsibleUserId: String(STACK_INSTALLER_USER_ID) });
        expect(j?.entries.some((e) => e.kind === "note" && e.text?.includes("user of the connector's Bitrix24 credential"))).toBe(true);
      }
      // The credential's user was asked of the portal through the b24-app gateway.
      expect(stack.emu.requests().some((r) => r.method === "user.current" && r.status === 200)).toBe(true);

      const status = await statusOf(stack);
      expect(status.app.crm).toMatchObject({
        fallback_user: { source: "credential_user", id: STACK_INSTALLER_USER_ID, name: "Portal Admin" },
        calls_on_fallback_user: 2,
        calls_on_fallback_by_source: { credential_user: 2, default_user: 0 },
        calls_not_landed: 0,
      });
      const metrics = await (await fetch(`http://127.0.0.1:${stack.connector.httpPort}/metrics`)).text();
      expect(metrics).toContain('ab24_calls_fallback_total{source="credential_user"} 2');
      expect(metrics).toContain("ab24_calls_not_landed_total 0");
      const overview = (await (await fetch(`http://127.0.0.1:${stack.connector.httpPort}/api/console/overview`)).json()) as { unowned: unknown };
      expect(overview.unowned).toEqual({ fallbackUser: expect.objectContaining({ source: "credential_user", id: STACK_INSTALLER_USER_ID }), onFallback: 2, notLanded: 0 });

      // Durable: what another process (a restarted connector) reads from Redis.
      const redis = new Redis(SERVICES.redis.url);
      try {
        expect(await new UnownedStats(redis, prefix).counts()).toEqual({ credential_user: 2, default_user: 0, not_landed: 0 });
        expect(JSON.parse((await redis.get(`${prefix}:credential-user`))!)).toMatchObject({ id: STACK_INSTALLER_USER_ID, name: "Portal Admin" });
      } finally {
        redis.disconnect();
      }
    } finally {
      await stack.close();
    }
  }, 180_000);

  it("fallbackToCredentialUser off and no default: the call is not registered, journalled as failed at warn level, counted as not landed in /status", async () => {
    const rec = loadRecording(MISSED);
    const stack = await startStack({
      recordings: [rec],
      speed: "asap",
      redisUrl: SERVICES.redis.url,
      redisPrefix: uniquePrefix("e2e-unowned-off"),
      contacts: [],
      users: ADMIN_ONLY,
      config: { responsible: { fallbackToCredentialUser: false } },
      logger: silentLogger(),
    });
    try {
      await stack.idle();
      expect(stack.emu.calls().filter((c) => c.registeredBy !== "portal")).toEqual([]);
      const j = await stack.connector.journal.get(linkedidOf(rec));
      expect(j?.summary).toMatchObject({ status: "failed", reason: NOT_LANDED_REASON });
      expect(j?.entries).toContainEqual(expect.objectContaining({ kind: "note", level: "warn", text: NOT_LANDED_REASON }));
      const status = await statusOf(stack);
      expect(status.app.crm).toMatchObject({ fallback_user: null, calls_on_fallback_user: 0, calls_not_landed: 1 });
      expect(status.app_status).not.toBe("Ok");
      expect(status.problems.some((p) => p.includes("1 calls nobody owned were not registered"))).toBe(true);
      const metrics = await (await fetch(`http://127.0.0.1:${stack.connector.httpPort}/metrics`)).text();
      expect(metrics).toContain("ab24_calls_not_landed_total 1");
    } finally {
      await stack.close();
    }
  }, 180_000);
});
