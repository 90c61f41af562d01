import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, type CliContext } from "../src/index.js";

const HINT = 'To request a new licence, run "license-tool request --customer <your company>" on this machine and send the request file it writes to your vendor.';

const dir = mkdtempSync(join(tmpdir(), "license-tool-expiry-"));
writeFileSync(join(dir, "machine-id"), "8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a\n");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI in-process with a fixed clock (dates in messages are then exact). */
function at(iso: string, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = { cwd: dir, out: (l) => out.push(l), err: (l) => err.push(l), now: () => Date.parse(iso) };
  const code = runCli(argv, ctx);
  return { code, out, err };
}

describe("license-tool verify on an expiring licence (fixed clock)", () => {
  it("valid, then warning in the grace period, then no new calls", () => {
    expect(at("2026-01-01T10:00:00Z", "keygen").code).toBe(0);
    expect(at("2026-01-01T10:00:00Z", "request", "--customer", "Acme LLC", "--out", "r.json", "--machine-id-file", "machine-id").code).toBe(0);
    const issued = at(
      "2026-01-01T10:00:00Z",
      "issue",
      "--request",
      "r.json",
      "--private-key",
      "vendor.key.pem",
      "--starts",
      "2026-01-01",
      "--expires",
      "2026-01-31",
      "--operators",
      "5",
      "--license-id",
      "LIC-EXP-1",
      "--out",
      "x.lic",
    );
    expect(issued.out[1]).toBe("  valid:    2026-01-01 → 2026-01-31");

    const valid = at("2026-01-20T12:00:00Z", "verify", "--license", "x.lic", "--public-key", "vendor.pub.pem", "--machine-id-file", "machine-id");
    expect(valid.code).toBe(0);
    expect(valid.out.at(-1)).toBe("Licence LIC-EXP-1 for Acme LLC is valid until 2026-01-31 (12 days left).");

    const warning = at("2026-02-03T12:00:00Z", "verify", "--license", "x.lic", "--public-key", "vendor.pub.pem", "--machine-id-file", "machine-id");
    expect(warning.code).toBe(1);
    expect(warning.out.at(-1)).toBe("State: warning");
    expect(warning.err).toEqual([
      `Licence LIC-EXP-1 for Acme LLC expired on 2026-01-31 (3 days ago). The connector keeps working during the 14-day grace period until 2026-02-14 (12 days left); after that it accepts no new calls. ${HINT}`,
    ]);

    const refusing = at("2026-02-20T12:00:00Z", "verify", "--license", "x.lic", "--public-key", "vendor.pub.pem", "--machine-id-file", "machine-id");
    expect(refusing.code).toBe(1);
    expect(refusing.out.at(-1)).toBe("State: refusing_new_calls (the connector accepts no new calls)");
    expect(refusing.err).toEqual([
      `Licence LIC-EXP-1 for Acme LLC expired on 2026-01-31 (20 days ago) and the 14-day grace period ended on 2026-02-14: the connector accepts no new calls; calls already in progress continue. ${HINT}`,
    ]);

    const shortGrace = at("2026-02-03T12:00:00Z", "verify", "--license", "x.lic", "--public-key", "vendor.pub.pem", "--machine-id-file", "machine-id", "--grace-days", "2");
    expect(shortGrace.out.at(-1)).toBe("State: refusing_new_calls (the connector accepts no new calls)");
  });
});
