/**
 * Calls nobody owns (stages/unowned.ts): recorded Asterisk calls run through the tracker and the
 * stage runner against a fake CRM in which no extension is a Bitrix24 user and the client's
 * number belongs to no CRM entity.
 */
import { describe, expect, it } from "vitest";
import type { StageEvent } from "../../src/tracker/index.js";
import { StageRunner } from "../../src/stages/runner.js";
import { NOT_LANDED_REASON } from "../../src/stages/unowned.js";
import type { ConnectorConfigInput } from "../../src/config/index.js";
import { replayRecording } from "../tracker/replay.js";
import { fakeStageDeps, type FakeStageDeps } from "../support/fake-stage-deps.js";

/** A portal where no extension of the recordings (101–103) is a Bitrix24 user, and no number is a contact. */
async function portalWithoutOwners(extra: Partial<ConnectorConfigInput> = {}): Promise<FakeStageDeps> {
  // User 5 is a manager with an extension no recording rings (a default responsible).
  const deps = await fakeStageDeps(extra, { users: [{ ID: 5, NAME: "Dmitry", LAST_NAME: "Popov", UF_PHONE_INNER: "555", ACTIVE: true }] });
  deps.gateway.answers["telephony.externalcall.searchCrmEntities"] = () => [];
  return deps;
}

async function runCall(deps: FakeStageDeps, name: string): Promise<string> {
  const runner = new StageRunner(deps);
  const events: StageEvent[] = replayRecording(name).events;
  for (const [i, ev] of events.entries()) await runner.handle(ev.callKey, ev, i);
  return events[0]!.callKey;
}

const notes = (deps: FakeStageDeps, key: string) => deps.journal.entries.filter((e) => e.callKey === key).map((e) => e.entry as { kind: string; text?: string; level?: string });

describe("calls nobody owns", () => {
  it("a call missed in the queue that rang no CRM user lands on the credential's user: registered and finished 304", async () => {
    const deps = await portalWithoutOwners();
    const key = await runCall(deps, "03_inbound_queue_missed");
    const reg = deps.gateway.commands("telephony.externalcall.register");
    expect(reg).toHaveLength(1);
    expect(reg[0]!.params).toMatchObject({ USER_ID: 9, TYPE: 2, EXTERNAL_CALL_ID: key });
    const fin = deps.gateway.commands("telephony.externalcall.finish");
    expect(fin).toHaveLength(1);
    expect(fin[0]!.params).toMatchObject({ USER_ID: 9, STATUS_CODE: "304", DURATION: 0 });
    expect(deps.journal.fields.get(key)).toMatchObject({ status: "delivered", responsibleUserId: "9", statusCode: "304" });
    expect(notes(deps, key).some((n) => n.kind === "note" && n.text?.includes("user of the connector's Bitrix24 credential"))).toBe(true);
    expect(deps.unownedStats.byCall.get(key)).toBe("credential_user");
    // No card for anyone: nobody with a CRM user rang.
    expect(deps.gateway.commands("telephony.externalcall.show")).toHaveLength(0);
  });

  it("a call answered only by an extension with no CRM user lands on the credential's user with its status and talk time", async () => {
    const deps = await portalWithoutOwners();
    const key = await runCall(deps, "01_inbound_ext101_answered");
    const fin = deps.gateway.commands("telephony.externalcall.finish");
    expect(fin).toHaveLength(1);
    expect(fin[0]!.params).toMatchObject({ USER_ID: 9, STATUS_CODE: "200" });
    expect(Number(fin[0]!.params!.DURATION)).toBeGreaterThan(0);
    expect(deps.unownedStats.byCall.get(key)).toBe("credential_user");
  });

  it("an explicit responsible.defaultUserId wins over the credential's user, and is counted as default_user", async () => {
    const deps = await portalWithoutOwners({ responsible: { defaultUserId: 5 } });
    const key = await runCall(deps, "03_inbound_queue_missed");
    expect(deps.gateway.commands("telephony.externalcall.finish")[0]!.params).toMatchObject({ USER_ID: 5 });
    expect(deps.credentialUser.asked).toBe(0);
    expect(deps.unownedStats.byCall.get(key)).toBe("default_user");
  });

  it("a default responsible who is no longer an active user counts as none: the credential's user takes the call", async () => {
    const deps = await portalWithoutOwners({ responsible: { defaultUserId: 77 } });
    const key = await runCall(deps, "03_inbound_queue_missed");
    expect(deps.gateway.commands("telephony.externalcall.finish")[0]!.params).toMatchObject({ USER_ID: 9 });
    expect(deps.unownedStats.byCall.get(key)).toBe("credential_user");
  });

  it("a call a CRM manager rang is not a fallback call (it belongs to who rang)", async () => {
    const deps = await fakeStageDeps({ responsible: { mode: 1 } });
    const key = await runCall(deps, "03_inbound_queue_missed");
    expect(deps.gateway.commands("telephony.externalcall.finish")[0]!.params!.USER_ID).not.toBe(9);
    expect(deps.unownedStats.byCall.has(key)).toBe(false);
  });

  it("fallbackToCredentialUser off and no default: not registered, failed with the reason at warn level, counted not_landed", async () => {
    const deps = await portalWithoutOwners({ responsible: { fallbackToCredentialUser: false } });
    const key = await runCall(deps, "03_inbound_queue_missed");
    expect(deps.gateway.commands("telephony.externalcall.register")).toHaveLength(0);
    expect(deps.journal.fields.get(key)).toMatchObject({ status: "failed", reason: NOT_LANDED_REASON });
    expect(notes(deps, key)).toContainEqual({ kind: "note", level: "warn", text: NOT_LANDED_REASON });
    expect(deps.unownedStats.byCall.get(key)).toBe("not_landed");
  });

  it("while the credential's user cannot be looked up the stage fails (retried later): nothing registered, nothing counted", async () => {
    const deps = await portalWithoutOwners();
    deps.credentialUser.user = new Error("portal down");
    await expect(runCall(deps, "03_inbound_queue_missed")).rejects.toThrow("portal down");
    expect(deps.gateway.commands("telephony.externalcall.register")).toHaveLength(0);
    expect(deps.unownedStats.byCall.size).toBe(0);
  });

  it("a rule that says do not register still wins (black list): skipped, no fallback", async () => {
    const ended = replayRecording("03_inbound_queue_missed").events.at(-1)!;
    const deps = await portalWithoutOwners({ product: { blacklist: { numbers: [ended.call.client_number] } } });
    const key = await runCall(deps, "03_inbound_queue_missed");
    expect(deps.gateway.commands("telephony.externalcall.register")).toHaveLength(0);
    expect(deps.journal.fields.get(key)).toMatchObject({ status: "skipped" });
    expect(deps.credentialUser.asked).toBe(0);
    expect(deps.unownedStats.byCall.size).toBe(0);
  });
});
