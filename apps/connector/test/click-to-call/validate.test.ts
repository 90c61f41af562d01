/** Values that reach AMI: phone numbers, hook output, diagnostics. No Redis, no sockets. */
import { AmiActionTimeoutError } from "@asterisk-b24/ami";
import { describe, expect, it } from "vitest";
import { assertFormat, cleanPhoneNumber, ClickToCallValueError, diagnoseOriginate } from "../../src/click-to-call/index.js";
import { ClickToCallService, type OriginateCall } from "../../src/click-to-call/service.js";
import { clickToCallSchema } from "../../src/click-to-call/config.js";
import { Metrics } from "../../src/http/metrics.js";
import { silentLogger } from "../../src/log/logger.js";
import { createExtensionMap } from "../../src/directory/extension-map.js";
import type { HookRunner } from "../../src/hooks/index.js";

function problem(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ClickToCallValueError);
    return (err as ClickToCallValueError).problem;
  }
}

describe("click-to-call values", () => {
  it("cleans a clicked number and refuses anything that is not one", () => {
    expect(cleanPhoneNumber("PHONE_NUMBER", "+7 (916) 123-45-67")).toBe("+79161234567");
    expect(cleanPhoneNumber("PHONE_NUMBER", "8 916 123.45.67")).toBe("89161234567");
    expect(problem(() => cleanPhoneNumber("PHONE_NUMBER", "89161234567\r\nAction: Hangup"))).toBe("control-characters");
    expect(problem(() => cleanPhoneNumber("PHONE_NUMBER", "8916\n"))).toBe("control-characters");
    expect(problem(() => cleanPhoneNumber("PHONE_NUMBER", "8916\u0000"))).toBe("control-characters");
    expect(problem(() => cleanPhoneNumber("PHONE_NUMBER", "8916&PJSIP/102"))).toBe("not-a-phone-number");
    expect(problem(() => cleanPhoneNumber("PHONE_NUMBER", "12,Hangup"))).toBe("not-a-phone-number");
    expect(problem(() => cleanPhoneNumber("PHONE_NUMBER", "   "))).toBe("empty");
  });

  it("checks every Originate field", () => {
    expect(assertFormat("channel", "Local/101@from-internal/n")).toBe("Local/101@from-internal/n");
    expect(assertFormat("channel", "PJSIP/101")).toBe("PJSIP/101");
    expect(problem(() => assertFormat("channel", "PJSIP/101\r\nAction: Hangup"))).toBe("control-characters");
    expect(problem(() => assertFormat("channel", "PJSIP/101&PJSIP/102"))).toBe("bad-format");
    expect(problem(() => assertFormat("context", "from-internal,s,1"))).toBe("bad-format");
    expect(problem(() => assertFormat("extension", "9\u20281"))).toBe("control-characters");
    expect(assertFormat("priority", 1)).toBe("1");
  });

  it("turns OriginateResponse reasons into plain words", () => {
    expect(diagnoseOriginate("Success", "4").outcome).toBe("answered");
    expect(diagnoseOriginate("Failure", "0").outcome).toBe("not-registered");
    expect(diagnoseOriginate("Failure", "1").outcome).toBe("hangup");
    expect(diagnoseOriginate("Failure", "3").outcome).toBe("no-answer");
    expect(diagnoseOriginate("Failure", "5").outcome).toBe("busy");
    expect(diagnoseOriginate("Failure", "8").outcome).toBe("congestion");
    expect(diagnoseOriginate("Failure", undefined).outcome).toBe("failed");
    expect(diagnoseOriginate("Failure", "5").text).toMatch(/busy/);
  });
});

describe("ClickToCallService.handle (fakes for AMI, Bitrix24, Redis)", () => {
  function service(
    hookData?: Record<string, unknown>,
    extensionMap = createExtensionMap(),
    o: { originate?: (call: OriginateCall) => Promise<never>; connected?: () => boolean } = {},
  ) {
    const sent: OriginateCall[] = [];
    const b24calls: Array<[string, Record<string, unknown>]> = [];
    const keys = new Map<string, string>();
    const hooks = {
      isEnabled: () => hookData !== undefined,
      run: async (_h: string, input: { params: Record<string, unknown> }) => ({ outcome: "applied", data: { ...input.params, ...hookData }, stripped: [] }),
    } as unknown as HookRunner;
    const svc = new ClickToCallService({
      config: clickToCallSchema.parse({ enabled: true }),
      variable: "CRM_CALL_ID",
      connection: {},
      redis: {
        set: async (k: string, v: string) => (keys.has(k) ? null : (keys.set(k, v), "OK")),
        get: async (k: string) => keys.get(k) ?? null,
        del: async (k: string) => Number(keys.delete(k)),
      } as never,
      redisPrefix: "t",
      users: { byId: (id: number) => (id === 1 ? { id: 1, name: "Ivan", innerPhone: "1101", phones: {} } : undefined), refreshOnMiss: async () => undefined } as never,
      extensionMap,
      hooks,
      b24: { call: async (m: string, p: Record<string, unknown>) => (b24calls.push([m, p]), true), callRaw: async () => ({ result: true }) } as never,
      originate: async (call) => {
        sent.push(call);
        if (o.originate) return o.originate(call);
        return { actionId: `a${sent.length}`, ok: true, response: { get: () => undefined } as never, events: [], cancelled: false };
      },
      amiConnected: o.connected ?? (() => true),
      metrics: new Metrics(),
      logger: silentLogger(),
    });
    return { svc, sent, b24calls };
  }
  const job = (data: Record<string, unknown>) => ({ event: "ONEXTERNALCALLSTART", data, via: "online" as const, ts: 0, receivedAt: new Date().toISOString(), domain: "b24.test" });

  it("maps the 4-digit Bitrix24 number to the real extension and dials through the outbound context", async () => {
    const { svc, sent } = service(undefined, createExtensionMap({ rules: [{ kind: "last-digits", digits: 4, pbxPrefix: "77" }] }));
    const r = await svc.handle(job({ USER_ID: "1", PHONE_NUMBER: "+7 916 123-45-67", CALL_ID: "externalCall.x.1" }));
    expect(r.status).toBe("dialled");
    expect(sent).toEqual([
      {
        channel: "PJSIP/771101",
        context: "from-internal",
        exten: "+79161234567",
        priority: "1",
        callerId: '"+79161234567" <+79161234567>',
        timeoutMs: 30000,
        variables: { CRM_CALL_ID: "externalCall.x.1", CRM_USER_ID: "1" },
      },
    ]);
    // the same CALL_ID again (a redelivered job) is not dialled twice
    expect((await svc.handle(job({ USER_ID: "1", PHONE_NUMBER: "89161234567", CALL_ID: "externalCall.x.1" }))).status).toBe("duplicate");
    expect(sent).toHaveLength(1);
  });

  it("refuses CR/LF that process_originate_params put into the channel, and closes the portal's call", async () => {
    const { svc, sent, b24calls } = service({ channel: "PJSIP/101\r\nAction: Hangup\r\nChannel: PJSIP/102" });
    const r = await svc.handle(job({ USER_ID: "1", PHONE_NUMBER: "89161234567", CALL_ID: "externalCall.y.1" }));
    expect(r.status).toBe("refused");
    expect(r.problem).toMatch(/channel contains a control character/);
    expect(sent).toEqual([]);
    expect(b24calls).toEqual([["telephony.externalcall.finish", { CALL_ID: "externalCall.y.1", USER_ID: 1, DURATION: 0, STATUS_CODE: "404", ADD_TO_CHAT: 0 }]]);
  });

  it("does not dial a stale event or a user without an inner number", async () => {
    const { svc, sent } = service();
    const old = { ...job({ USER_ID: "1", PHONE_NUMBER: "89161234567", CALL_ID: "c.1" }), receivedAt: new Date(Date.now() - 10 * 60_000).toISOString() };
    expect((await svc.handle(old)).status).toBe("stale");
    expect((await svc.handle(job({ USER_ID: "7", PHONE_NUMBER: "89161234567", CALL_ID: "c.2" }))).status).toBe("no-extension");
    expect(sent).toEqual([]);
  });

  const finishes = (calls: Array<[string, Record<string, unknown>]>) => calls.filter(([m]) => m === "telephony.externalcall.finish");

  it("a CALL_ID Bitrix24 hands to a second click is decided once: refused then clicked again → finished once, never dialled", async () => {
    const { svc, sent, b24calls } = service();
    expect((await svc.handle(job({ USER_ID: "1", PHONE_NUMBER: "89161234567\r\nAction: Hangup", CALL_ID: "externalCall.r.1" }), { jobId: "j1" })).status).toBe("refused");
    expect((await svc.handle(job({ USER_ID: "1", PHONE_NUMBER: "89161234567", CALL_ID: "externalCall.r.1" }), { jobId: "j2" })).status).toBe("duplicate");
    expect(sent).toEqual([]);
    expect(finishes(b24calls)).toEqual([["telephony.externalcall.finish", { CALL_ID: "externalCall.r.1", USER_ID: 1, DURATION: 0, STATUS_CODE: "404", ADD_TO_CHAT: 0 }]]);
  });

  it("dialled, then a refused event with the same CALL_ID → not finished (the call in progress is finished by the pipeline)", async () => {
    const { svc, sent, b24calls } = service();
    expect((await svc.handle(job({ USER_ID: "1", PHONE_NUMBER: "89161234567", CALL_ID: "externalCall.d.1" }), { jobId: "j1" })).status).toBe("dialled");
    expect((await svc.handle(job({ USER_ID: "1", PHONE_NUMBER: "8916\n", CALL_ID: "externalCall.d.1" }), { jobId: "j2" })).status).toBe("duplicate");
    expect(sent).toHaveLength(1);
    expect(finishes(b24calls)).toEqual([]);
  });

  it("a retry of the same event goes on (AMI was down), and the call is finished at most once", async () => {
    const { svc, sent, b24calls } = service(undefined, createExtensionMap(), { connected: () => false });
    const ev = job({ USER_ID: "1", PHONE_NUMBER: "89161234567", CALL_ID: "externalCall.a.1" });
    expect((await svc.handle(ev, { jobId: "j1" })).status).toBe("failed");
    expect((await svc.handle(ev, { jobId: "j1", lastAttempt: true })).status).toBe("failed");
    expect((await svc.handle(ev, { jobId: "j1", lastAttempt: true })).status).toBe("failed");
    expect(finishes(b24calls).map(([, p]) => p.STATUS_CODE)).toEqual(["503"]);
    expect(sent).toEqual([]);
  });

  it("an Originate Asterisk did not confirm in time is neither dialled again nor finished (it may be ringing)", async () => {
    const { svc, sent, b24calls } = service(undefined, createExtensionMap(), { originate: async () => Promise.reject(new AmiActionTimeoutError("Originate", "a1", 10_000)) });
    const ev = job({ USER_ID: "1", PHONE_NUMBER: "89161234567", CALL_ID: "externalCall.t.1" });
    const r = await svc.handle(ev, { jobId: "j1", lastAttempt: true });
    expect(r).toMatchObject({ status: "failed", problem: "Originate not confirmed: AMI action Originate (a1) timed out after 10000 ms" });
    expect((await svc.handle(ev, { jobId: "j1", lastAttempt: true })).status).toBe("duplicate");
    expect(sent).toHaveLength(1);
    expect(finishes(b24calls)).toEqual([]);
  });
});
