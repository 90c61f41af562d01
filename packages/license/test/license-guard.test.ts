import { describe, expect, it } from "vitest";
import { LicenseGuard, ManualClock, MemoryUsageStore, type LicenseLogger } from "../src/index.js";
import { DAY, fp, HINT, issueFor, NOW, SERVER_A, SERVER_B, strangerKeys, vendorKeys } from "./helpers.js";

class RecordingLogger implements LicenseLogger {
  lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  info(obj: object, msg: string): void {
    this.lines.push({ level: "info", obj: obj as Record<string, unknown>, msg });
  }
  warn(obj: object, msg: string): void {
    this.lines.push({ level: "warn", obj: obj as Record<string, unknown>, msg });
  }
  error(obj: object, msg: string): void {
    this.lines.push({ level: "error", obj: obj as Record<string, unknown>, msg });
  }
}

function makeGuard(options: { machine?: typeof SERVER_A; store?: MemoryUsageStore; graceDays?: number } = {}) {
  const clock = new ManualClock(NOW);
  const logger = new RecordingLogger();
  const guard = new LicenseGuard({
    publicKey: vendorKeys().publicKeyPem,
    machine: fp(options.machine ?? SERVER_A),
    version: "0.1.0",
    clock,
    logger,
    ...(options.graceDays !== undefined ? { graceDays: options.graceDays } : {}),
    ...(options.store ? { usageStore: options.store } : {}),
  });
  return { guard, clock, logger };
}

describe("LicenseGuard", () => {
  it("valid licence: accepts calls, enforces licensed limits, reports status", () => {
    const { guard } = makeGuard();
    const status = guard.load(issueFor(SERVER_A));
    expect(guard.canStart()).toBe(true);
    expect(guard.canAcceptNewCall()).toBe(true);
    expect(guard.hasFeature("call-recording")).toBe(true);
    expect(status).toEqual({
      state: "valid",
      message: "Licence LIC-TEST-0001 for Acme LLC is valid until 2026-02-14 (30 days left).",
      acceptingNewCalls: true,
      problem: null,
      licenseId: "LIC-TEST-0001",
      customer: "Acme LLC",
      limits: { operators: 3, pbxes: 1, portals: 1 },
      features: ["call-recording"],
      usage: { operators: 0, pbxes: 0, portals: 0, inFlightCalls: 0 },
      overLimit: false,
      overLimitOperators: [],
      overLimitPbxes: [],
      overLimitPortals: [],
      issuedAt: "2026-01-05T12:00:00.000Z",
      expiresAt: "2026-02-14T12:00:00.000Z",
      daysLeft: 30,
      graceDays: 14,
      graceEndsAt: "2026-02-28T12:00:00.000Z",
      checkedAt: "2026-01-15T12:00:00.000Z",
    });
    expect(JSON.parse(JSON.stringify(status))).toEqual(status);
  });

  it("no licence file: evaluation mode with its own limits and no optional features", () => {
    const { guard, logger } = makeGuard();
    const status = guard.load(undefined);
    expect(status.state).toBe("evaluation");
    expect(status.message).toBe(`No licence file: running in evaluation mode (3 operators, 1 PBX, 1 Bitrix24 portal; no optional features). ${HINT}`);
    expect(status.limits).toEqual({ operators: 3, pbxes: 1, portals: 1 });
    expect(guard.canStart()).toBe(true);
    expect(guard.canAcceptNewCall()).toBe(true);
    expect(guard.hasFeature("call-recording")).toBe(false);
    expect(["101", "102", "103", "104"].map((e) => guard.isOperatorAllowed(e))).toEqual([true, true, true, false]);
    expect(logger.lines.at(-1)?.msg).toBe(`Operator 104 is not served: evaluation mode allows 3 operators and they are all in use (101, 102, 103). ${HINT}`);
    expect(logger.lines[0]).toMatchObject({ level: "warn", obj: { event: "license.state", state: "evaluation" } });
  });

  it("expiry: warning during the grace period, then refuses NEW calls while the in-flight call continues", () => {
    const { guard, clock, logger } = makeGuard();
    guard.load(issueFor(SERVER_A)); // expires 2026-02-14T12:00Z, grace 14 days → 2026-02-28T12:00Z

    clock.set(NOW + 33 * DAY);
    let status = guard.refresh();
    expect(status.state).toBe("warning");
    expect(status.problem).toBe("expired");
    expect(status.message).toBe(
      `Licence LIC-TEST-0001 for Acme LLC expired on 2026-02-14 (3 days ago). The connector keeps working during the 14-day grace period until 2026-02-28 (11 days left); after that it accepts no new calls. ${HINT}`,
    );
    expect(status.daysLeft).toBe(-3);
    expect(guard.canAcceptNewCall()).toBe(true);
    expect(logger.lines.at(-1)).toMatchObject({ level: "warn", msg: status.message });
    expect(guard.admitCall("call-1")).toBe(true);
    expect(guard.isOperatorAllowed("101")).toBe(true);

    clock.set(NOW + 45 * DAY); // grace over
    status = guard.refresh();
    expect(status.state).toBe("refusing_new_calls");
    expect(status.message).toBe(
      `Licence LIC-TEST-0001 for Acme LLC expired on 2026-02-14 (15 days ago) and the 14-day grace period ended on 2026-02-28: the connector accepts no new calls; calls already in progress continue. ${HINT}`,
    );
    expect(status.acceptingNewCalls).toBe(false);
    expect(guard.canStart()).toBe(true);
    expect(guard.canAcceptNewCall()).toBe(false);
    expect(guard.admitCall("call-2")).toBe(false);
    // The call admitted before keeps working to its end.
    expect(guard.isCallInFlight("call-1")).toBe(true);
    expect(guard.admitCall("call-1")).toBe(true);
    expect(guard.isOperatorAllowed("101")).toBe(true);
    expect(guard.status().usage.inFlightCalls).toBe(1);
    guard.endCall("call-1");
    expect(guard.isCallInFlight("call-1")).toBe(false);
    expect(logger.lines.at(-1)).toMatchObject({ level: "error", obj: { state: "refusing_new_calls" } });

    // Renewal: loading a fresh licence restores normal service.
    const renewed = issueFor(SERVER_A, { licenseId: "LIC-TEST-0002", issuedAt: NOW + 44 * DAY, expiresAt: NOW + 400 * DAY });
    expect(guard.load(renewed).state).toBe("valid");
    expect(guard.admitCall("call-3")).toBe(true);
  });

  it("grace period is configurable", () => {
    const { guard, clock } = makeGuard({ graceDays: 0 });
    guard.load(issueFor(SERVER_A));
    clock.set(NOW + 31 * DAY);
    expect(guard.refresh().state).toBe("refusing_new_calls");
  });

  it("over-limit operators: first N distinct served, one log line per refused operator, status flag", () => {
    const store = new MemoryUsageStore();
    const { guard, logger } = makeGuard({ store });
    guard.load(issueFor(SERVER_A));
    const seen = ["101", "102", "101", "103", "104", "105", "104", "102"].map((e) => [e, guard.isOperatorAllowed(e)]);
    expect(seen).toEqual([
      ["101", true],
      ["102", true],
      ["101", true],
      ["103", true],
      ["104", false],
      ["105", false],
      ["104", false],
      ["102", true],
    ]);
    const refusals = logger.lines.filter((l) => l.obj.event === "license.over_limit");
    expect(refusals.map((l) => l.msg)).toEqual([
      `Operator 104 is not served: the licence allows 3 operators and they are all in use (101, 102, 103). ${HINT}`,
      `Operator 105 is not served: the licence allows 3 operators and they are all in use (101, 102, 103). ${HINT}`,
    ]);
    expect(refusals[0]).toMatchObject({ level: "warn", obj: { kind: "operators", id: "104", limit: 3 } });
    const status = guard.status();
    expect(status.overLimit).toBe(true);
    expect(status.overLimitOperators).toEqual(["104", "105"]);
    expect(status.usage.operators).toBe(5);
    expect(store.load("operators")).toEqual(["101", "102", "103", "104", "105"]);

    // A restart with the same store serves the same operators, whatever order they show up in.
    const again = makeGuard({ store });
    again.guard.load(issueFor(SERVER_A));
    expect(again.guard.isOperatorAllowed("105")).toBe(false);
    expect(again.guard.isOperatorAllowed("101")).toBe(true);
  });

  it("PBX and portal limits work the same way", () => {
    const { guard, logger } = makeGuard();
    guard.load(issueFor(SERVER_A));
    expect(guard.isPbxAllowed("pbx-main")).toBe(true);
    expect(guard.isPbxAllowed("pbx-branch")).toBe(false);
    expect(guard.isPortalAllowed("acme.bitrix24.ru")).toBe(true);
    expect(guard.isPortalAllowed("other.bitrix24.ru")).toBe(false);
    expect(logger.lines.filter((l) => l.obj.event === "license.over_limit").map((l) => l.msg)).toEqual([
      `PBX pbx-branch is not served: the licence allows 1 PBX and it is in use (pbx-main). ${HINT}`,
      `Bitrix24 portal other.bitrix24.ru is not served: the licence allows 1 Bitrix24 portal and it is in use (acme.bitrix24.ru). ${HINT}`,
    ]);
  });

  it("invalid licence (other machine, wrong key): refuses to start with the exact message", () => {
    const onB = makeGuard({ machine: SERVER_B });
    const status = onB.guard.load(issueFor(SERVER_A));
    expect(status.state).toBe("invalid");
    expect(status.problem).toBe("other_machine");
    expect(status.message).toBe(
      `Licence LIC-TEST-0001 for Acme LLC was issued for another machine (matched: none; not matched: machine-id, MAC address, hostname), so it is refused on this machine. ${HINT}`,
    );
    expect(onB.guard.canStart()).toBe(false);
    expect(onB.guard.canAcceptNewCall()).toBe(false);
    expect(onB.guard.isOperatorAllowed("101")).toBe(false);
    expect(status.limits).toBeNull();
    expect(onB.logger.lines.at(-1)).toMatchObject({ level: "error", msg: status.message });

    const strangerGuard = new LicenseGuard({ publicKey: strangerKeys().publicKeyPem, machine: fp(SERVER_A), clock: new ManualClock(NOW) });
    expect(strangerGuard.load(issueFor(SERVER_A)).problem).toBe("wrong_signature");
  });

  it("an empty licence file counts as no licence (evaluation)", () => {
    const { guard } = makeGuard();
    expect(guard.load("  \n").state).toBe("evaluation");
  });
});

describe("LicenseGuard daily re-load of the same file", () => {
  it("does not repeat the over-limit log line for the same licence, but does after a new licence", () => {
    const logger = new RecordingLogger();
    const guard = new LicenseGuard({ publicKey: vendorKeys().publicKeyPem, machine: fp(SERVER_A), clock: new ManualClock(NOW), logger });
    const token = issueFor(SERVER_A, { limits: { operators: 1, pbxes: 1, portals: 1 } });
    const refusals = () => logger.lines.filter((l) => l.obj.event === "license.over_limit").length;
    guard.load(token);
    guard.isOperatorAllowed("101");
    guard.isOperatorAllowed("102");
    guard.load(`${token}\n`);
    guard.isOperatorAllowed("102");
    expect(refusals()).toBe(1);
    guard.load(issueFor(SERVER_A, { licenseId: "LIC-TEST-0002", limits: { operators: 1, pbxes: 1, portals: 1 } }));
    guard.isOperatorAllowed("102");
    expect(refusals()).toBe(2);
  });
});
