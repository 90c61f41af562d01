import { cpSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleWithCli, inNetns, linkVersion, netnsAvailable, readText, removeDir, tempDir, unpack } from "./harness.js";

// The license-tool bundle from `pnpm bundle`, installed into an empty prefix and used inside a
// network namespace with no network; then updated in place and rolled back.
const netns = netnsAvailable();
const mustRun = process.env.CI === "true";

describe.skipIf(!netns.ok && !mustRun)("license-tool bundle (offline install, update, rollback)", () => {
  let work: string;
  let v1: string;
  let v2: string;

  beforeAll(() => {
    if (!netns.ok) throw new Error(netns.reason);
    work = tempDir("license-tool");
    v1 = unpack(bundleWithCli("license-tool", "0.1.0", join(work, "out")).archive, join(work, "unpacked"));
    v2 = unpack(bundleWithCli("license-tool", "0.1.1", join(work, "out")).archive, join(work, "unpacked"));
  }, 240_000);

  afterAll(() => {
    if (work) removeDir(work);
  });

  it("archive layout: launcher, compiled lib, production deps, install script, no service parts", () => {
    expect(existsSync(join(v1, "bin/license-tool"))).toBe(true);
    expect(existsSync(join(v1, "lib/license-tool.mjs"))).toBe(true);
    expect(existsSync(join(v1, "lib/license-tool.bundle.mjs"))).toBe(true);
    expect(existsSync(join(v1, "lib/node_modules/jsonwebtoken/package.json"))).toBe(true);
    expect(existsSync(join(v1, "install.sh"))).toBe(true);
    expect(existsSync(join(v1, "packaging"))).toBe(false);
    const info = JSON.parse(readText(join(v1, "bundle.json"))) as { name: string; version: string; target: string; nativeAddons: unknown[] };
    expect(info).toMatchObject({ name: "license-tool", version: "0.1.0", target: "linux-x64", nativeAddons: [] });
    // Our workspace code is compiled in, never shipped as a package.
    expect(existsSync(join(v1, "lib/node_modules/@asterisk-b24"))).toBe(false);
  });

  it("install.sh refuses a Node.js older than the bundle needs, before writing anything", () => {
    const copy = join(work, "needs-newer-node");
    cpSync(v1, copy, { recursive: true });
    writeFileSync(join(copy, "bundle.env"), readText(join(copy, "bundle.env")).replace("NODE_MIN='20.19'", "NODE_MIN='99.1'"));
    const r = inNetns(`"${copy}/install.sh" --prefix "${join(work, "never")}" --no-systemd`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`install.sh (license-tool): Node.js >= 99.1 is needed, this machine has ${process.versions.node}`);
    expect(existsSync(join(work, "never"))).toBe(false);
  });

  it("installs into an empty prefix and runs keygen → request → issue → verify with no network", () => {
    const prefix = join(work, "prefix");
    const home = join(work, "home");
    const r = inNetns(
      [
        `"${v1}/install.sh" --prefix "${prefix}" --no-systemd`,
        `mkdir -p "${home}" && cd "${home}"`,
        `L="${prefix}/current/bin/license-tool"`,
        `"$L" --help | head -1`,
        `"$L" keygen --out-dir keys`,
        "echo 0123456789abcdef0123456789abcdef > machine-id",
        `"$L" request --customer "Acme LLC" --out acme.req.json --machine-id-file machine-id`,
        `"$L" issue --request acme.req.json --private-key keys/vendor.key.pem --expires never --operators 10 --license-id LIC-BUNDLE-1 --out acme.lic`,
        `"$L" verify --license acme.lic --public-key keys/vendor.pub.pem --machine-id-file machine-id`,
        `cp acme.lic "${prefix}/var/license.lic"`,
      ].join("\n"),
    );
    expect(r.stderr).toContain("NETNS links=lo, routes=0");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("license-tool — asterisk-b24 licences (offline, machine-bound)");
    expect(r.stdout).toContain("license-tool: installed 0.1.0 in");
    expect(r.stdout).toContain("Licence LIC-BUNDLE-1 for Acme LLC is valid with no expiry date.");
    expect(JSON.parse(readText(join(home, "acme.req.json")))).toMatchObject({ customer: "Acme LLC", productVersion: "0.1.0" });
    expect(linkVersion(prefix, "current")).toBe("0.1.0");
  });

  it("updates in place keeping etc/ and var/, then --rollback returns to the first release", () => {
    const prefix = join(work, "prefix");
    const home = join(work, "home");
    writeFileSync(join(prefix, "etc/notes.txt"), "admin notes\n");
    const licence = readText(join(prefix, "var/license.lic"));

    const update = inNetns(
      [
        `"${v2}/install.sh" --prefix "${prefix}" --no-systemd`,
        `cd "${home}" && "${prefix}/current/bin/license-tool" request --customer "Acme LLC" --out after-update.json --machine-id-file machine-id`,
      ].join("\n"),
    );
    expect(update.code, update.stderr).toBe(0);
    expect(update.stdout).toContain("license-tool: updated 0.1.0 -> 0.1.1");
    expect(linkVersion(prefix, "current")).toBe("0.1.1");
    expect(linkVersion(prefix, "previous")).toBe("0.1.0");
    expect(JSON.parse(readText(join(home, "after-update.json")))).toMatchObject({ productVersion: "0.1.1" });
    expect(readText(join(prefix, "etc/notes.txt"))).toBe("admin notes\n");
    expect(readText(join(prefix, "var/license.lic"))).toBe(licence);

    const back = inNetns(
      [
        `"${prefix}/current/install.sh" --prefix "${prefix}" --rollback`,
        `cd "${home}" && "${prefix}/current/bin/license-tool" request --customer "Acme LLC" --out after-rollback.json --machine-id-file machine-id`,
      ].join("\n"),
    );
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toContain("rolled back from 0.1.1 to 0.1.0");
    expect(linkVersion(prefix, "current")).toBe("0.1.0");
    expect(linkVersion(prefix, "previous")).toBe("0.1.1");
    expect(JSON.parse(readText(join(home, "after-rollback.json")))).toMatchObject({ productVersion: "0.1.0" });
    expect(readText(join(prefix, "var/license.lic"))).toBe(licence);
    expect(readdirSync(join(prefix, "releases")).sort()).toEqual(["0.1.0", "0.1.1"]);
  });
});
