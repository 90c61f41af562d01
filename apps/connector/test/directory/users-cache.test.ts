import { afterEach, describe, expect, it, vi } from "vitest";
import { B24PagingError, listAll } from "../../src/crm/port.js";
import { UsersCache } from "../../src/directory/users-cache.js";
import { FakePort, userGetHandler } from "../support/fake-port.js";

function makeUsers(n: number): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, i) => ({
    ID: String(i + 1),
    ACTIVE: true,
    NAME: `User${i + 1}`,
    LAST_NAME: "Test",
    UF_PHONE_INNER: String(1000 + i + 1),
  }));
}

afterEach(() => {
  vi.useRealTimers();
});

describe("listAll", () => {
  it("follows next until the last page", async () => {
    const port = new FakePort({ "user.get": userGetHandler(() => makeUsers(120)) });
    const rows = await listAll(port, "user.get", { FILTER: { ACTIVE: true } });
    expect(rows).toHaveLength(120);
    expect(port.calls.map((c) => c.params.start)).toEqual([0, 50, 100]);
  });
  it("a next that does not advance is an error, not a loop", async () => {
    const port = new FakePort({ "x.list": () => ({ result: [1], next: 0 }) });
    await expect(listAll(port, "x.list", {})).rejects.toBeInstanceOf(B24PagingError);
  });
  it("maxPages bounds a runaway list", async () => {
    const port = new FakePort({ "x.list": (p) => ({ result: [1], next: Number(p.start) + 50 }) });
    await expect(listAll(port, "x.list", {}, { maxPages: 3 })).rejects.toBeInstanceOf(B24PagingError);
    expect(port.count("x.list")).toBe(3);
  });
  it("accepts an object-shaped page", async () => {
    const port = new FakePort({ "x.list": () => ({ result: { 0: "a", 1: "b" } }) });
    expect(await listAll(port, "x.list", {})).toEqual(["a", "b"]);
  });
});

describe("UsersCache", () => {
  it("loads every page of active users and asks for ACTIVE=true", async () => {
    const users = makeUsers(130);
    users.push({ ID: "999", ACTIVE: false, UF_PHONE_INNER: "999" });
    const port = new FakePort({ "user.get": userGetHandler(() => users) });
    const cache = new UsersCache({ port, refreshIntervalMs: 0, now: () => Date.parse("2026-03-07T07:00:00Z") });
    expect(cache.snapshot()).toEqual({ last_updated: null, users: 0, phones: 0 });
    await cache.start();
    expect(port.count("user.get")).toBe(3);
    expect(port.calls[0]!.params).toMatchObject({ FILTER: { ACTIVE: true }, start: 0 });
    expect(cache.snapshot()).toEqual({ last_updated: "2026-03-07T07:00:00.000Z", users: 130, phones: 130 });
    expect(cache.byInnerPhone("1130")?.id).toBe(130);
    expect(cache.byInnerPhone("999")).toBeUndefined();
    expect(cache.byId(5)?.name).toBe("User5 Test");
    expect(cache.isActive(999)).toBe(false);
  });

  it("finds users by any phone field in any format; users without an inner number by mobile (FMC)", async () => {
    const port = new FakePort({
      "user.get": userGetHandler(() => [
        { ID: "1", NAME: "Anna", UF_PHONE_INNER: "101", PERSONAL_MOBILE: "+7 (916) 123-45-67" },
        { ID: "2", NAME: "Boris", UF_PHONE_INNER: "", PERSONAL_MOBILE: "8 926 000-00-02", WORK_PHONE: "74950000002" },
        { ID: "3", NAME: "Vera", PERSONAL_PHONE: "89161234567", UF_PHONE_INNER: null },
      ]),
    });
    const cache = new UsersCache({ port, refreshIntervalMs: 0 });
    await cache.refresh();
    expect(cache.find("101")?.id).toBe(1);
    expect(cache.find("89161234567")?.id).toBe(1); // Anna's mobile wins over Vera's personal phone
    expect(cache.find("79260000002")?.id).toBe(2);
    expect(cache.find("+79260000002")?.id).toBe(2);
    expect(cache.find("84950000002")?.id).toBe(2);
    expect(cache.byInnerPhone("")).toBeUndefined();
    expect(cache.find("102")).toBeUndefined();
    expect(cache.byId(2)?.innerPhone).toBeUndefined();
    expect(cache.byId(1)?.phones).toEqual({ UF_PHONE_INNER: "101", PERSONAL_MOBILE: "+7 (916) 123-45-67" });
    expect(cache.snapshot().phones).toBe(4);
  });

  it("refresh is single-flight", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const port = new FakePort({
      "user.get": async (p) => {
        await gate;
        return userGetHandler(() => makeUsers(3))(p);
      },
    });
    const cache = new UsersCache({ port, refreshIntervalMs: 0 });
    const a = cache.refresh();
    const b = cache.refresh();
    const c = cache.refreshOnMiss();
    expect(cache.refreshing).toBe(true);
    release();
    await Promise.all([a, b, c]);
    expect(port.count("user.get")).toBe(1);
    expect(cache.refreshing).toBe(false);
  });

  it("a miss refreshes at most once per missRefreshMinIntervalMs; a new employee appears", async () => {
    let now = 1_000_000;
    const users = makeUsers(2);
    const port = new FakePort({ "user.get": userGetHandler(() => users) });
    const cache = new UsersCache({ port, refreshIntervalMs: 0, missRefreshMinIntervalMs: 60_000, now: () => now });
    await cache.start();
    expect(port.count("user.get")).toBe(1);

    users.push({ ID: "50", NAME: "New", UF_PHONE_INNER: "150" });
    expect(await cache.findFresh("150")).toMatchObject({ id: 50 });
    expect(port.count("user.get")).toBe(2);

    // within the minute: misses do not reload
    now += 1_000;
    expect(await cache.findFresh("151")).toBeUndefined();
    expect(await cache.findFresh("152")).toBeUndefined();
    now += 30_000;
    expect(cache.findOrScheduleRefresh("153")).toBeUndefined();
    expect(port.count("user.get")).toBe(2);

    // a minute after the last miss-refresh: one more
    now += 30_000;
    expect(cache.findOrScheduleRefresh("153")).toBeUndefined();
    expect(cache.findOrScheduleRefresh("154")).toBeUndefined();
    await vi.waitFor(() => expect(cache.refreshing).toBe(false));
    expect(port.count("user.get")).toBe(3);
    expect(cache.findOrScheduleRefresh("101")).toBeUndefined(); // user 1 has 1001
    expect(cache.findOrScheduleRefresh("1001")?.id).toBe(1);
  });

  it("a failed refresh keeps the snapshot; background errors go to onError", async () => {
    let fail = false;
    const port = new FakePort({
      "user.get": (p) => {
        if (fail) throw new Error("portal down");
        return userGetHandler(() => makeUsers(2))(p);
      },
    });
    const errors: unknown[] = [];
    const cache = new UsersCache({ port, refreshIntervalMs: 0, missRefreshMinIntervalMs: 0, onError: (e) => errors.push(e) });
    await cache.refresh();
    fail = true;
    await expect(cache.refresh()).rejects.toThrow("portal down");
    expect(cache.snapshot().users).toBe(2);
    cache.findOrScheduleRefresh("nope");
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(cache.find("1002")?.id).toBe(2);
  });

  it("refreshes periodically", async () => {
    vi.useFakeTimers();
    const port = new FakePort({ "user.get": userGetHandler(() => makeUsers(1)) });
    const cache = new UsersCache({ port, refreshIntervalMs: 10 * 60_000 });
    await cache.start();
    expect(port.count("user.get")).toBe(1);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(port.count("user.get")).toBe(2);
    await vi.advanceTimersByTimeAsync(20 * 60_000);
    expect(port.count("user.get")).toBe(4);
    cache.stop();
    await vi.advanceTimersByTimeAsync(20 * 60_000);
    expect(port.count("user.get")).toBe(4);
  });
});
