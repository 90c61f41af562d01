import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findManifest } from "../../../../scripts/bundle/manifests.js";
import { bundleWithCli, inNetns, linkVersion, netnsAvailable, readText, redisInNetns, REPO_ROOT, removeDir, tempDir, testKitTraces, unpack } from "./harness.js";

// The b24-app bundle (service + admin CLI in one archive), installed into an empty prefix and run
// inside a network namespace with no network; then updated in place (keys and config kept) and rolled back.
const netns = netnsAvailable();
const mustRun = process.env.CI === "true";
const b24App = findManifest("b24-app");
const hasEntry = existsSync(join(REPO_ROOT, b24App.entry));

describe.skipIf(!hasEntry || (!netns.ok && !mustRun))("b24-app bundle (offline install, /status, update, rollback)", () => {
  let work: string;
  let v1: string;
  let v2: string;
  const prefix = () => join(work, "prefix");
  const config = () => join(prefix(), "etc/b24-app.json");

  beforeAll(() => {
    if (!netns.ok) throw new Error(netns.reason);
    work = tempDir("b24-app");
    v1 = unpack(bundleWithCli("b24-app", "0.1.0", join(work, "out")).archive, join(work, "unpacked"));
    v2 = unpack(bundleWithCli("b24-app", "0.1.1", join(work, "out")).archive, join(work, "unpacked"));
  }, 240_000);

  afterAll(() => {
    if (work) removeDir(work);
  });

  it("carries the product only: no test kit or emulator code", () => {
    expect(testKitTraces(v1)).toEqual([]);
  });

  it("installs into an empty prefix; the admin CLI writes the token keys; the service answers /status — no network", () => {
    const install = inNetns(`"${v1}/install.sh" --prefix "${prefix()}" --no-systemd`);
    expect(install.code, install.stderr).toBe(0);
    // The admin edits the example: keys and Redis for this test.
    const edited = JSON.parse(readText(config())) as Record<string, Record<string, unknown>>;
    edited.tokens = { privateKeyFile: join(prefix(), "var/tokens.key.pem"), publicKeyFile: join(prefix(), "var/tokens.pub.pem") };
    edited.redis = { url: "redis://127.0.0.1:6465", prefix: "pkg-b24app" };
    edited.http = { ...edited.http, host: "127.0.0.1", port: 8190 };
    writeFileSync(config(), `${JSON.stringify(edited, null, 2)}\n`);

    const redis = redisInNetns(6465, work);
    const bin = `${prefix()}/current/bin`;
    const r = inNetns(
      [
        redis.start,
        `"${bin}/b24-app-cli" keygen --config "${config()}"`,
        `"${bin}/b24-app-cli" install-url --config "${config()}"`,
        `timeout 60 "${bin}/b24-app" --config "${config()}" > "${work}/app.log" 2>&1 &`,
        "APP=$!",
        `for i in $(seq 1 100); do node "${prefix()}/current/lib/healthcheck.mjs" http://127.0.0.1:8190/status 2>/dev/null && break; sleep 0.2; done`,
        `node "${prefix()}/current/lib/healthcheck.mjs" http://127.0.0.1:8190/status && echo HEALTH=ok`,
        `node -e 'fetch("http://127.0.0.1:8190/status").then(r => r.text()).then(t => console.log("STATUS=" + t))'`,
        "kill -TERM $APP; wait $APP || true",
        redis.stop,
      ].join("\n"),
    );
    expect(r.stderr).toContain("NETNS links=lo, routes=0");
    expect(r.code, `${r.stderr}\n${readText(join(work, "app.log"))}`).toBe(0);
    expect(r.stdout).toContain("Local application");
    expect(r.stdout).toContain("HEALTH=ok");
    const status = JSON.parse(r.stdout.split("\n").find((l) => l.startsWith("STATUS="))!.slice(7)) as { credential: string; installed: unknown };
    expect(status).toMatchObject({ credential: "oauth", installed: null });
    expect(existsSync(join(prefix(), "var/tokens.key.pem"))).toBe(true);
  });

  it("an update keeps config and the token keys (backed up) and switches to the new release; --rollback returns", () => {
    const before = readText(config());
    const key = readFileSync(join(prefix(), "var/tokens.key.pem"));
    const update = inNetns(`"${v2}/install.sh" --prefix "${prefix()}" --no-systemd`);
    expect(update.code, update.stderr).toBe(0);
    expect(update.stdout).toContain("b24-app: updated 0.1.0 -> 0.1.1");
    expect(readText(config())).toBe(before);
    expect(readFileSync(join(prefix(), "var/tokens.key.pem")).equals(key)).toBe(true);
    const backup = readdirSync(join(prefix(), "backups"))[0]!;
    expect(readFileSync(join(prefix(), "backups", backup, "var/tokens.key.pem")).equals(key)).toBe(true);
    expect(readText(join(prefix(), "backups", backup, "etc/b24-app.json"))).toBe(before);
    expect(readText(join(prefix(), "current/share/apps/b24-app/package.json"))).toContain('"version": "0.1.1"');

    const back = inNetns(`"${prefix()}/current/install.sh" --prefix "${prefix()}" --rollback`);
    expect(back.code, back.stderr).toBe(0);
    expect([linkVersion(prefix(), "current"), linkVersion(prefix(), "previous")]).toEqual(["0.1.0", "0.1.1"]);
    expect(readText(config())).toBe(before);
  });
});
