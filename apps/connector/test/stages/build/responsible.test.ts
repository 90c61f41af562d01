import { describe, expect, it } from "vitest";
import { chooseResponsible, missedChainFor } from "../../../src/stages/build/responsible.js";

const A = 11;
const B = 12;
const C = 13;

describe("chooseResponsible: answered", () => {
  it("the last CRM manager who answered", () => {
    const r = chooseResponsible({
      answered: true,
      conversations: [
        { userId: A, answered: true },
        { userId: B, answered: false },
        { userId: C, answered: true },
      ],
    });
    expect(r).toEqual({ userId: C, reason: "last-answered" });
  });

  it("a transfer to support (not in the CRM) keeps the manager who answered before it", () => {
    const r = chooseResponsible({
      answered: true,
      conversations: [
        { userId: A, answered: true },
        { userId: 99, answered: true, nonCrm: true },
        { userId: undefined, answered: true },
      ],
    });
    expect(r).toEqual({ userId: A, reason: "last-answered" });
  });

  it("only support answered → the missed chain decides", () => {
    const r = chooseResponsible({ answered: true, entityOwnerId: B, conversations: [{ userId: undefined, answered: true, nonCrm: true }] }, { defaultUserId: C });
    expect(r).toEqual({ userId: B, reason: "entity-owner" });
  });

  it("an inactive answerer is skipped", () => {
    const r = chooseResponsible({
      answered: true,
      isActive: (id) => id !== C,
      conversations: [
        { userId: A, answered: true },
        { userId: C, answered: true },
      ],
    });
    expect(r.userId).toBe(A);
  });
});

describe("chooseResponsible: missed", () => {
  const rang = [
    { userId: A, answered: false },
    { userId: B, answered: false },
    { userId: 98, answered: false, nonCrm: true },
  ];

  it("mode chains", () => {
    expect(missedChainFor({})).toEqual(["entity-owner", "last-rang", "default-user"]);
    expect(missedChainFor({ mode: 1 })).toEqual(["last-rang", "default-user"]);
    expect(missedChainFor({ mode: 2 })).toEqual(["default-user"]);
    expect(missedChainFor({ mode: 2, missedChain: ["last-rang"] })).toEqual(["last-rang"]);
  });

  it("mode 0: entity owner", () => {
    expect(chooseResponsible({ answered: false, conversations: rang, entityOwnerId: C }, { defaultUserId: 1 })).toEqual({
      userId: C,
      reason: "entity-owner",
    });
  });

  it("mode 0 with no entity (new client) → last manager who rang (not support)", () => {
    expect(chooseResponsible({ answered: false, conversations: rang }, { defaultUserId: 1 })).toEqual({
      userId: B,
      reason: "last-rang",
    });
  });

  it("mode 0 with a fired owner → last rang", () => {
    const r = chooseResponsible({ answered: false, conversations: rang, entityOwnerId: 77, isActive: (id) => id !== 77 }, { defaultUserId: 1 });
    expect(r.reason).toBe("last-rang");
  });

  it("mode 1 ignores the owner; nobody rang (IVR) → default user", () => {
    expect(chooseResponsible({ answered: false, conversations: rang, entityOwnerId: C }, { mode: 1 }).userId).toBe(B);
    expect(chooseResponsible({ answered: false, conversations: [] }, { mode: 1, defaultUserId: 1 })).toEqual({
      userId: 1,
      reason: "default-user",
    });
  });

  it("mode 2: default user; a line default replaces the global default", () => {
    const config = { mode: 2 as const, defaultUserId: 1, defaultUserByLine: { "74951234567": 5 } };
    expect(chooseResponsible({ answered: false, conversations: rang, entityOwnerId: C }, config)).toEqual({
      userId: 1,
      reason: "default-user",
    });
    expect(chooseResponsible({ answered: false, conversations: rang, line: "74951234567" }, config)).toEqual({
      userId: 5,
      reason: "line-default",
    });
  });

  it("lineOverridesChain: the line default wins first (missed only)", () => {
    const config = { defaultUserByLine: { "88007654321": 456 }, lineOverridesChain: true };
    expect(chooseResponsible({ answered: false, conversations: rang, entityOwnerId: C, line: "88007654321" }, config)).toEqual({
      userId: 456,
      reason: "line-default",
    });
    expect(chooseResponsible({ answered: true, conversations: [{ userId: A, answered: true }], line: "88007654321" }, config)).toEqual({ userId: A, reason: "last-answered" });
    expect(chooseResponsible({ answered: false, conversations: rang, entityOwnerId: C, line: "other" }, config).userId).toBe(C);
  });

  it("nothing anywhere → none", () => {
    expect(chooseResponsible({ answered: false, conversations: [] })).toEqual({ userId: undefined, reason: "none" });
  });
});

describe("missed: the manager who rang before the entity owner (rangBeforeOwner, the connector's default)", () => {
  const cfg = { mode: 0 as const, rangBeforeOwner: true, defaultUserId: C };
  it("one CRM manager rang and nobody answered: that manager, not the contact's owner", () => {
    expect(chooseResponsible({ answered: false, conversations: [{ userId: A, answered: false }], entityOwnerId: B }, cfg)).toEqual({ userId: A, reason: "last-rang" });
  });
  it("nobody rang (missed in the IVR): the entity owner, then the default", () => {
    expect(chooseResponsible({ answered: false, conversations: [], entityOwnerId: B }, cfg)).toEqual({ userId: B, reason: "entity-owner" });
    expect(chooseResponsible({ answered: false, conversations: [] }, cfg)).toEqual({ userId: C, reason: "default-user" });
  });
  it("only non-CRM legs rang: the entity owner", () => {
    expect(chooseResponsible({ answered: false, conversations: [{ userId: A, answered: false, nonCrm: true }], entityOwnerId: B }, cfg)).toEqual({
      userId: B,
      reason: "entity-owner",
    });
  });
  it("modes 1 and 2 are unchanged by it", () => {
    expect(missedChainFor({ mode: 0, rangBeforeOwner: true })).toEqual(["last-rang", "entity-owner", "default-user"]);
    expect(missedChainFor({ mode: 1, rangBeforeOwner: true })).toEqual(["last-rang", "default-user"]);
    expect(missedChainFor({ mode: 2, rangBeforeOwner: true })).toEqual(["default-user"]);
    expect(missedChainFor({ mode: 0 })).toEqual(["entity-owner", "last-rang", "default-user"]);
  });
});
