/**
 * The credential's portal user (directory/credential-user.ts) on the real Redis: looked up with
 * `user.current`, stored, refreshed when stale, kept when a refresh fails, refused when unusable.
 */
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { CredentialUser, CredentialUserError, credentialUserFrom } from "../../src/directory/credential-user.js";

const available = await requireService("redis");

describe.runIf(available)("credential user", () => {
  const redis = new Redis(SERVICES.redis.url);
  afterAll(() => redis.disconnect());

  it("asks user.current once, keeps the answer in Redis, asks again only when stale, keeps it when the portal fails", async () => {
    let now = 1_000_000;
    let answer: unknown = { ID: "7", NAME: "Olga", LAST_NAME: "Admin", ACTIVE: true };
    const asked: string[] = [];
    const port = {
      call: async <T>(method: string): Promise<T> => {
        asked.push(method);
        if (answer instanceof Error) throw answer;
        return answer as T;
      },
    };
    const stale: number[] = [];
    const prefix = uniquePrefix("cred-user");
    const cu = new CredentialUser({ port, redis, prefix, refreshMs: 60_000, now: () => now, onStale: (_e, s) => stale.push(s.id) });
    expect(await cu.stored()).toBeUndefined();
    expect(await cu.get()).toEqual({ id: 7, name: "Olga Admin", resolvedAt: 1_000_000 });
    expect(await cu.get()).toMatchObject({ id: 7 });
    expect(asked).toEqual(["user.current"]);
    // Another process (a restarted connector) reads the stored user without asking.
    expect(await new CredentialUser({ port, redis, prefix, now: () => now }).stored()).toMatchObject({ id: 7 });

    now += 61_000;
    answer = new Error("portal down");
    expect(await cu.get()).toMatchObject({ id: 7, resolvedAt: 1_000_000 });
    expect(stale).toEqual([7]);
    answer = { ID: 8, NAME: "New", ACTIVE: true };
    expect(await cu.get()).toMatchObject({ id: 8, name: "New", resolvedAt: now });
    expect(asked).toHaveLength(3);
  });

  it("with nothing stored and the portal not answering, get() rejects (the stage is retried)", async () => {
    const port = { call: async (): Promise<never> => Promise.reject(new Error("no route to portal")) };
    await expect(new CredentialUser({ port, redis, prefix: uniquePrefix("cred-user-none") }).get()).rejects.toThrow("no route to portal");
  });

  it("refuses an answer without a user ID and a deactivated user", () => {
    expect(() => credentialUserFrom({}, 0)).toThrow(CredentialUserError);
    expect(() => credentialUserFrom({ ID: "3", ACTIVE: "N" }, 0)).toThrow(/deactivated/);
    expect(credentialUserFrom({ ID: 3, NAME: "A" }, 5)).toEqual({ id: 3, name: "A", resolvedAt: 5 });
  });
});
