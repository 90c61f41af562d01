import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLicenseRequest, fixedFingerprintSources } from "@asterisk-b24/license";

const BIN = fileURLToPath(new URL("../bin/license-tool.mjs", import.meta.url));
const HINT = 'To request a new licence, run "license-tool request --customer <your company>" on this machine and send the request file it writes to your vendor.';

let dir: string;
const tool = (...args: string[]) => {
  if (args[0] === "verify" && !args.includes("--request")) args.push("--machine-id-file", "machine-id");
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const lines = (text: string): string[] => text.split("\n").filter(Boolean);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "license-tool-cli-"));
  // A machine-id of our own, so the round trip does not depend on the test host having /etc/machine-id
  // (MAC addresses and the hostname are still read from the real machine).
  writeFileSync(join(dir, "machine-id"), "5f0c2a4be1d34c7f9a8b6d5e4f3a2b1c\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("license-tool as a child process (keygen → request → issue → verify)", () => {
  it("round trip on this machine", () => {
    const keygen = tool("keygen", "--out-dir", "keys");
    expect(keygen.code).toBe(0);
    expect(statSync(join(dir, "keys/vendor.key.pem")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, "keys/vendor.pub.pem"), "utf8")).toContain("BEGIN PUBLIC KEY");

    const request = tool("request", "--customer", "Acme LLC", "--contact", "it@acme.example", "--out", "acme.req.json", "--machine-id-file", "machine-id");
    expect(request.code).toBe(0);
    expect(request.stdout).toContain(`Licence request written to ${join(dir, "acme.req.json")}`);
    const req = JSON.parse(readFileSync(join(dir, "acme.req.json"), "utf8"));
    expect(req).toMatchObject({ format: "asterisk-b24-license-request/1", product: "asterisk-b24", customer: "Acme LLC", productVersion: "0.1.0" });

    const issue = tool(
      "issue",
      "--request",
      "acme.req.json",
      "--private-key",
      "keys/vendor.key.pem",
      "--expires",
      "never",
      "--operators",
      "10",
      "--pbxes",
      "2",
      "--features",
      "recording,analytics",
      "--license-id",
      "LIC-RT-1",
      "--out",
      "acme.lic",
    );
    expect(issue.code).toBe(0);
    expect(lines(issue.stdout)[0]).toBe(`Licence LIC-RT-1 for Acme LLC written to ${join(dir, "acme.lic")}`);

    const verify = tool("verify", "--license", "acme.lic", "--public-key", "keys/vendor.pub.pem");
    expect(verify.stderr).toBe("");
    expect(verify.code).toBe(0);
    const out = lines(verify.stdout);
    expect(out).toContain("  limits:    10 operators, 2 PBXes, 1 Bitrix24 portal");
    expect(out).toContain("  features:  analytics, recording");
    expect(out).toContain("  machine:   matches when machine-id | hostname + MAC address");
    expect(out.find((l) => l.startsWith("  this machine: MATCHES"))).toBeDefined();
    expect(out.at(-2)).toBe("State: valid");
    expect(out.at(-1)).toBe("Licence LIC-RT-1 for Acme LLC is valid with no expiry date.");

    const json = tool("verify", "--license", "acme.lic", "--public-key", "keys/vendor.pub.pem", "--json");
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ state: "valid", licenseId: "LIC-RT-1", limits: { operators: 10, pbxes: 2, portals: 1 } });
  });

  it("tampered payload: exit 1 with the exact message", () => {
    const token = readFileSync(join(dir, "acme.lic"), "utf8").trim();
    const [h, p, s] = token.split(".");
    const payload = JSON.parse(Buffer.from(p!, "base64url").toString());
    payload.limits.operators = 500;
    writeFileSync(join(dir, "tampered.lic"), `${h}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${s}\n`);
    const r = tool("verify", "--license", "tampered.lic", "--public-key", "keys/vendor.pub.pem");
    expect(r.code).toBe(1);
    expect(lines(r.stdout).at(-1)).toBe("State: invalid (the connector accepts no new calls)");
    expect(r.stderr).toBe(
      `The licence file was modified after it was issued: its contents no longer match the vendor's signature, so it is refused. Restore the original file you received. ${HINT}\n`,
    );
    expect(r.stdout).not.toContain("500 operators"); // untrusted contents are not displayed
  });

  it("signed by another key: exit 1 with the exact message", () => {
    expect(tool("keygen", "--out-dir", "keys", "--name", "pirate").code).toBe(0);
    expect(tool("issue", "--request", "acme.req.json", "--private-key", "keys/pirate.key.pem", "--days", "3650", "--operators", "999", "--out", "pirate.lic").code).toBe(0);
    const r = tool("verify", "--license", "pirate.lic", "--public-key", "keys/vendor.pub.pem");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`The licence is not signed with the asterisk-b24 vendor key (it was signed with another key), so it is refused. ${HINT}\n`);
  });

  it("unsigned (alg none): exit 1 with the exact message", () => {
    const token = readFileSync(join(dir, "acme.lic"), "utf8").trim();
    const payload = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
    writeFileSync(join(dir, "unsigned.lic"), jwt.sign(payload, null, { algorithm: "none" }));
    const r = tool("verify", "--license", "unsigned.lic", "--public-key", "keys/vendor.pub.pem");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`The licence has no signature (algorithm "none" or an empty signature), so it is refused. ${HINT}\n`);
  });

  it("other machine (checked against another machine's request file): exit 1 with the exact message", () => {
    const other = createLicenseRequest({
      customer: "Acme LLC",
      productVersion: "0.1.0",
      sources: fixedFingerprintSources({ machineId: "ffffffffffffffffffffffffffffffff", macs: ["52:54:00:00:00:99"], hostname: "elsewhere" }),
      now: Date.UTC(2026, 0, 1),
    });
    writeFileSync(join(dir, "other.req.json"), JSON.stringify(other));
    const r = tool("verify", "--license", "acme.lic", "--public-key", "keys/vendor.pub.pem", "--request", "other.req.json");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("  the requesting machine: DOES NOT MATCH (matched: none; not matched: machine-id, MAC address, hostname)");
    expect(r.stderr).toBe(
      `Licence LIC-RT-1 for Acme LLC was issued for another machine (matched: none; not matched: machine-id, MAC address, hostname), so it is refused on this machine. ${HINT}\n`,
    );
  });

  it("user errors: one clear line, exit 2, no stack trace", () => {
    const cases: [string[], string][] = [
      [["verify", "--license", "missing.lic", "--public-key", "keys/vendor.pub.pem"], `license-tool verify: licence file not found: ${join(dir, "missing.lic")}`],
      [["verify", "--license", "acme.lic", "--public-key", "keys/nope.pem"], `license-tool verify: public key file not found: ${join(dir, "keys/nope.pem")}`],
      [
        ["verify", "--license", "acme.lic", "--public-key", "keys/vendor.key.pem"],
        `license-tool verify: public key file ${join(dir, "keys/vendor.key.pem")} is a private key; verification needs the vendor PUBLIC key (the .pub.pem file).`,
      ],
      [
        ["issue", "--request", "acme.req.json", "--private-key", "keys/vendor.pub.pem", "--days", "30", "--operators", "5"],
        `license-tool issue: private key file ${join(dir, "keys/vendor.pub.pem")} is not a PEM private key; create vendor keys with "license-tool keygen".`,
      ],
      [
        ["issue", "--request", "acme.lic", "--private-key", "keys/vendor.key.pem", "--days", "30", "--operators", "5"],
        `license-tool issue: request file ${join(dir, "acme.lic")} is not a licence request (not JSON)`,
      ],
      [["issue", "--request", "acme.req.json", "--private-key", "keys/vendor.key.pem", "--days", "30"], "license-tool issue: missing --operators"],
      [
        ["issue", "--request", "acme.req.json", "--private-key", "keys/vendor.key.pem", "--expires", "2026-02-30", "--operators", "5"],
        'license-tool issue: --expires must be a date YYYY-MM-DD or "never", got "2026-02-30"',
      ],
      [["request"], "license-tool request: missing --customer"],
      [["request", "--customer", "X", "--factors", "serial"], 'license-tool request: --factors: unknown factor "serial" (use machine-id, mac, hostname)'],
      [
        ["keygen", "--out-dir", "keys"],
        `license-tool keygen: ${join(dir, "keys/vendor.key.pem")} already exists; licences signed with that key would stop verifying if it were replaced. Use --force to overwrite.`,
      ],
      [["verify", "--licence", "acme.lic"], "license-tool verify: Unknown option '--licence'"],
    ];
    for (const [args, first] of cases) {
      const r = tool(...args);
      expect({ args, code: r.code, first: lines(r.stderr)[0] }).toEqual({ args, code: 2, first });
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(join(dir, "missing.lic"))).toBe(false);
  });

  it("help", () => {
    const main = tool("help");
    expect(main.code).toBe(0);
    expect(main.stdout).toContain("Usage: license-tool <command> [options]");
    const issue = tool("issue", "--help");
    expect(issue.code).toBe(0);
    expect(issue.stdout).toContain("Usage: license-tool issue --request <file>");
    expect(tool().code).toBe(2);
    const unknown = tool("frob");
    expect(unknown.code).toBe(2);
    expect(lines(unknown.stderr)[0]).toBe('license-tool: unknown command "frob"');
  });
});
