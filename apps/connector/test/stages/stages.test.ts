/**
 * Each stage file against a fake CRM gateway: real stage events (a recorded Asterisk call run
 * through the tracker), in-memory journal and CRM state, no sockets.
 */
import { describe, expect, it } from "vitest";
import type { StageEvent } from "../../src/tracker/index.js";
import { admit, decideSkip } from "../../src/stages/admit.js";
import { afterFinish, unreachedNotices } from "../../src/stages/after-finish.js";
import { callEnded } from "../../src/stages/call-ended.js";
import { cardModeFor, hideCard, showCard } from "../../src/stages/cards.js";
import { conversationAccepted, conversationEnded, conversationRequested } from "../../src/stages/conversation.js";
import { emptyCrmState } from "../../src/stages/crm-state.js";
import { finishCall, responsibleFor } from "../../src/stages/finish.js";
import { clientPhone, userFor } from "../../src/stages/lookup.js";
import { register } from "../../src/stages/register.js";
import { StageRunner } from "../../src/stages/runner.js";
import { StageStep } from "../../src/stages/step.js";
import { replayRecording } from "../tracker/replay.js";
import { fakeStageDeps, type FakeStageDeps } from "../support/fake-stage-deps.js";

function eventsOf(name: string): StageEvent[] {
  return replayRecording(name).events;
}

function stepFor(deps: FakeStageDeps, ev: StageEvent, index = 0, crm = emptyCrmState()): StageStep {
  return new StageStep(deps, ev.callKey, index, ev, crm);
}

const first = (events: StageEvent[], stage: StageEvent["stage"]) => events.find((e) => e.stage === stage)!;

describe("runner", () => {
  it("an answered inbound call: register with the card (SHOW=1), finish 200, delivered", async () => {
    const deps = await fakeStageDeps({ product: { cardMode: "ringing" } });
    const runner = new StageRunner(deps);
    const events = eventsOf("01_inbound_ext101_answered");
    for (const [i, ev] of events.entries()) await runner.handle(ev.callKey, ev, i);
    const reg = deps.gateway.commands("telephony.externalcall.register");
    expect(reg).toHaveLength(1);
    expect(reg[0]!.params).toMatchObject({ USER_ID: 1, SHOW: 1, TYPE: 2 });
    const fin = deps.gateway.commands("telephony.externalcall.finish");
    expect(fin).toHaveLength(1);
    expect(fin[0]!.params).toMatchObject({ USER_ID: 1, STATUS_CODE: "200" });
    const key = events[0]!.callKey;
    expect(deps.journal.fields.get(key)).toMatchObject({ status: "delivered", statusCode: "200" });
    expect((await deps.crmState.load(key)).finished).toBe(true);
  });
});

describe("admit", () => {
  it("a licence that refuses new calls skips the call", async () => {
    const deps = await fakeStageDeps();
    deps.license = { admitCall: () => false, status: () => ({ message: "expired" }) } as unknown as NonNullable<FakeStageDeps["license"]>;
    const step = stepFor(deps, eventsOf("01_inbound_ext101_answered")[0]!);
    expect(await admit(step)).toBe(false);
    expect(step.crm.skipped).toBe("licence: expired");
  });
  it("internal calls are skipped unless configured", async () => {
    const ev = eventsOf("14_internal_101_to_102")[0]!;
    const off = await fakeStageDeps();
    expect(await decideSkip(stepFor(off, ev))).toBe(true);
    const on = await fakeStageDeps({ product: { registerInternalCalls: true } });
    expect(await decideSkip(stepFor(on, ev))).toBe(false);
  });
});

describe("lookup", () => {
  it("finds the user behind an extension once and remembers a miss", async () => {
    const deps = await fakeStageDeps();
    const step = stepFor(deps, eventsOf("01_inbound_ext101_answered")[0]!);
    expect((await userFor(step, "102"))?.id).toBe(2);
    expect(await userFor(step, "999")).toBeUndefined();
    expect(step.crm.users).toEqual({ "102": 2, "999": null });
    expect(await clientPhone(step)).toMatch(/\d/);
  });
});

describe("register and cards", () => {
  it("registers once, shows and hides a card once each", async () => {
    const deps = await fakeStageDeps({ product: { cardModeByExtension: { "103": "never" } } });
    const step = stepFor(deps, eventsOf("01_inbound_ext101_answered")[0]!);
    expect(await register(step, deps.users.byId(1)!)).toBe(true);
    expect(await register(step, deps.users.byId(1)!)).toBe(true);
    expect(deps.gateway.commands("telephony.externalcall.register")).toHaveLength(1);
    expect(step.crm.entityType).toBe("CONTACT");
    await showCard(step, 2);
    await showCard(step, 2);
    await hideCard(step, 2);
    await hideCard(step, 2);
    expect(deps.gateway.methods().filter((m) => m.endsWith(".show"))).toHaveLength(1);
    expect(deps.gateway.methods().filter((m) => m.endsWith(".hide"))).toHaveLength(1);
    expect(cardModeFor(step, "103")).toBe("never");
  });
  it("a refused register is remembered and leaves no CALL_ID", async () => {
    const deps = await fakeStageDeps();
    deps.gateway.refuse.add("telephony.externalcall.register");
    const step = stepFor(deps, eventsOf("01_inbound_ext101_answered")[0]!);
    expect(await register(step, deps.users.byId(1)!)).toBe(false);
    expect(step.crm.crmCallId).toBeUndefined();
    expect(step.crm.registerError).toContain("refused");
  });
});

describe("conversation", () => {
  it("a ring-all loser's card is hidden when its phone stops ringing", async () => {
    const deps = await fakeStageDeps({ product: { cardMode: "ringing" } });
    const events = eventsOf("17a_inbound_ringgroup_102_answers");
    const crm = emptyCrmState();
    for (const [i, ev] of events.entries()) {
      if (ev.stage === "call_ended") continue;
      const step = stepFor(deps, ev, i, crm);
      const conv = ev.call.conversations[ev.conversationId]!;
      if (ev.stage === "conversation_requested") await conversationRequested(step, conv);
      else if (ev.stage === "conversation_accepted") await conversationAccepted(step, conv);
      else await conversationEnded(step, conv);
    }
    expect(crm.answeredUserIds).toEqual([2]);
    expect(crm.hidden.length).toBeGreaterThan(0);
    expect(crm.hidden).not.toContain(2);
  });
});

describe("finish and after-finish", () => {
  it("a missed inbound call: responsible from the entity owner, 304, task and unreached notices", async () => {
    const deps = await fakeStageDeps({ responsible: { mode: 0 }, extras: { missedCallTask: { enabled: true }, unreachedNotice: { enabled: true } } });
    const ended = first(eventsOf("03_inbound_queue_missed"), "call_ended");
    const step = stepFor(deps, ended);
    expect(await responsibleFor(step)).toBe(3);
    await register(step, deps.users.byId(3)!);
    const finished = await finishCall(step, 3);
    expect(finished).toMatchObject({ statusCode: "304", activityId: 55 });
    await afterFinish(step, finished!.activityId, 3, finished!.statusCode);
    expect(deps.gateway.commands("tasks.task.add")).toHaveLength(1);
    // unreached notices go through the notice builder (same text as before the split)
    step.crm.users["102"] = 2;
    const conv = Object.values(step.call.conversations)[0]!;
    const unreached = { ...step.call, conversations: { x: { ...conv, extension: "102", was_accepted: false, excluded: false, end_reason: "busy" } } };
    const step2 = stepFor(deps, { ...ended, call: unreached }, 1, step.crm);
    await unreachedNotices(step2);
    const notice = deps.gateway.commands("im.notify.system.add").at(-1)!;
    expect(notice.params).toEqual({ USER_ID: 2, MESSAGE: `Пропущенный звонок от ${ended.call.client_number}: ваш номер 102 был недоступен (busy).` });
  });

  it("call_ended of a never-registered call registers it for the responsible and finishes it", async () => {
    const deps = await fakeStageDeps({ responsible: { mode: 2, defaultUserId: 2 } });
    const ended = first(eventsOf("03_inbound_queue_missed"), "call_ended");
    const step = stepFor(deps, ended);
    await callEnded(step);
    expect(deps.gateway.methods()).toEqual(expect.arrayContaining(["telephony.externalcall.register", "telephony.externalcall.finish"]));
    expect(deps.gateway.commands("telephony.externalcall.register")[0]!.params).toMatchObject({ USER_ID: 2 });
    expect(step.crm.finished).toBe(true);
    expect(deps.journal.fields.get(ended.callKey)).toMatchObject({ status: "delivered", statusCode: "304" });
  });

  it("a refused finish fails the call in the journal", async () => {
    const deps = await fakeStageDeps({ responsible: { mode: 2, defaultUserId: 2 } });
    deps.gateway.refuse.add("telephony.externalcall.finish");
    const step = stepFor(deps, first(eventsOf("01_inbound_ext101_answered"), "call_ended"));
    await callEnded(step);
    expect(deps.journal.fields.get(step.callKey)).toMatchObject({ status: "failed" });
  });
});
