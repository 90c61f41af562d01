import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findManifest, type AppManifest } from "../../../../scripts/bundle/manifests.js";
import {
  bundleManifest,
  bundleWithCli,
  inNetns,
  linkVersion,
  netnsAvailable,
  readText,
  redisInNetns,
  runTsx,
  REPO_ROOT,
  removeDir,
  tempDir,
  testKitTraces,
  unpack,
} from "./harness.js";

const netns = netnsAvailable();
const mustRun = process.env.CI === "true";
const connector = findManifest("connector");
const connectorCli = existsSync(join(REPO_ROOT, connector.entry));

/**
 * The connector's packaging, proven with the runtime probe (fixtures/runtime-probe.ts) bundled under
 * the connector's manifest (service unit, example config, kept files): the probe exercises what can
 * only fail at run time in a bundle — BullMQ's Lua scripts and its require() of ioredis, our
 * limiter.lua found through the share/ mirror, pino, express, the lazily imported DB drivers.
 */
const probe: AppManifest = {
  ...connector,
  name: "connector-probe",
  entry: "packages/testkit/test/packaging/fixtures/runtime-probe.ts",
  command: "connector-probe",
  keep: ["etc/connector-probe.json"],
  assets: [],
};

interface ProbeResult {
  version: string;
  pinoRedacted: boolean;
  phpAdapter: boolean;
  dbDrivers: boolean;
  limiterLua: boolean;
  bullmqJob: unknown;
  status: { code: number; body: { app_status: string; version: string } };
}

function probeLine(stdout: string): ProbeResult {
  const line = stdout.split("\n").find((l) => l.startsWith("{\"version\""));
  if (!line) throw new Error(`no probe output in:\n${stdout}`);
  return JSON.parse(line) as ProbeResult;
}

describe.skipIf(!netns.ok && !mustRun)("connector bundle runtime (probe) — offline install, Redis, /status", () => {
  let work: string;
  let v1: string;
  const prefix = () => join(work, "prefix");

  beforeAll(async () => {
    if (!netns.ok) throw new Error(netns.reason);
    work = tempDir("probe");
    v1 = unpack((await bundleManifest(probe, "0.1.0", join(work, "out"))).archive, join(work, "unpacked"));
  }, 240_000);

  afterAll(() => {
    if (work) removeDir(work);
  });

  it("ships the native msgpackr addon built for linux-x64 and the service parts", () => {
    const info = JSON.parse(readText(join(v1, "bundle.json"))) as { nativeAddons: Array<{ path: string; machine: string }>; dependencies: Array<{ name: string }> };
    expect(info.nativeAddons.length).toBeGreaterThan(0);
    expect(info.nativeAddons.every((n) => n.machine === "x64")).toBe(true);
    const names = info.dependencies.map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining(["bullmq", "ioredis", "pino", "express", "msgpackr-extract"]));
    expect(names.some((n) => n.startsWith("@types/"))).toBe(false);
    expect(existsSync(join(v1, "packaging/connector-probe.service"))).toBe(true);
    expect(readText(join(v1, "config.example.json"))).toBe(readText(join(REPO_ROOT, "packaging/config/connector.example.json")));
    expect(existsSync(join(v1, "share/apps/connector/src/crm/limiter.lua"))).toBe(true);
    expect(existsSync(join(v1, "lib/healthcheck.mjs"))).toBe(true);
  });

  it("installs into an empty prefix inside a network namespace and runs against a local Redis; the health probe reads /status", () => {
    const redis = redisInNetns(6461, work);
    const r = inNetns(
      [
        `"${v1}/install.sh" --prefix "${prefix()}" --no-systemd`,
        redis.start,
        `"${prefix()}/current/bin/connector-probe" --redis redis://127.0.0.1:6461 --prefix pkg-probe-1`,
        `timeout 60 "${prefix()}/current/bin/connector-probe" --redis redis://127.0.0.1:6461 --prefix pkg-probe-2 --http-port 8177 --serve &`,
        "SERVE=$!",
        `for i in $(seq 1 100); do node "${prefix()}/current/lib/healthcheck.mjs" http://127.0.0.1:8177/status 2>/dev/null && break; sleep 0.1; done`,
        `node "${prefix()}/current/lib/healthcheck.mjs" http://127.0.0.1:8177/status && echo HEALTH=ok`,
        `node "${prefix()}/current/lib/healthcheck.mjs" http://127.0.0.1:8177/no-such-page || echo HEALTH404=fails`,
        "kill -TERM $SERVE; wait $SERVE || true",
        redis.stop,
      ].join("\n"),
    );
    expect(r.stderr).toContain("NETNS links=lo, routes=0");
    expect(r.code, r.stderr).toBe(0);
    const out = probeLine(r.stdout);
    expect(out).toMatchObject({ version: "0.1.0", pinoRedacted: true, phpAdapter: true, dbDrivers: true, limiterLua: true });
    expect(out.bullmqJob).toEqual({ outcomes: { c1: { status: "ok" } } });
    expect(out.status).toMatchObject({ code: 200, body: { app_status: "Ok", version: "0.1.0" } });
    expect(r.stdout).toContain("HEALTH=ok");
    expect(r.stdout).toContain("HEALTH404=fails");
    // First install: the example configuration becomes the config file, private to the owner.
    const config = join(prefix(), "etc/connector-probe.json");
    expect(readText(config)).toBe(readText(join(v1, "config.example.json")));
    expect((statSync(config).mode & 0o777).toString(8)).toBe("600");
  });

});

describe.skipIf(!connectorCli || (!netns.ok && !mustRun))("connector bundle (apps/connector/src/cli.ts) — offline install, replay, update, rollback", () => {
  let work: string;
  let v1: string;
  let v2: string;
  const prefix = () => join(work, "prefix");
  const recording = "01_inbound_ext101_answered";

  beforeAll(() => {
    if (!netns.ok) throw new Error(netns.reason);
    work = tempDir("connector");
    v1 = unpack(bundleWithCli("connector", "0.1.0", join(work, "out")).archive, join(work, "unpacked"));
    v2 = unpack(bundleWithCli("connector", "0.1.1", join(work, "out")).archive, join(work, "unpacked"));
  }, 240_000);

  afterAll(() => {
    if (work) removeDir(work);
  });

  it("--version, installed into an empty prefix with no network; the release is the product only (no test kit, emulator, demo or replay)", () => {
    const r = inNetns(
      [
        `"${v1}/install.sh" --prefix "${prefix()}" --no-systemd`,
        `"${prefix()}/current/bin/connector" --version`,
        `"${prefix()}/current/bin/connector" replay ${recording} || echo REPLAY_EXIT=$?`,
        `"${prefix()}/current/bin/connector" demo || echo DEMO_EXIT=$?`,
      ].join("\n"),
    );
    expect(r.stderr).toContain("NETNS links=lo, routes=0");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n")).toContain("0.1.0");
    expect(r.stdout).toContain("REPLAY_EXIT=2");
    expect(r.stdout).toContain("DEMO_EXIT=2");
    expect(r.stderr).toContain('unknown command "replay"');
    expect(testKitTraces(v1)).toEqual([]);
    // From the sources, the development entry point still has both.
    const fromSources = runTsx(["apps/connector/src/dev-cli.ts", "replay", recording]);
    expect(fromSources.code, fromSources.stderr).toBe(0);
    expect(fromSources.stdout).toContain("call_ended");
  });

  it("run: answers /status and puts a replayed call into Bitrix24 — PBX, CRM and Redis on loopback, no network", () => {
    const redis = redisInNetns(6463, work);
    const config = join(work, "run.json");
    const example = JSON.parse(readText(join(v1, "config.example.json"))) as Record<string, Record<string, unknown>>;
    writeFileSync(
      config,
      JSON.stringify({
        ...example,
        ami: { host: "127.0.0.1", port: 5139, username: "crm", secret: "secret" },
        b24: { auth: { mode: "webhook", webhookUrl: "http://127.0.0.1:8179/rest/1/offline0webhook0code/" }, limits: { burst: 50, drainPerSec: 50 } },
        redis: { url: "redis://127.0.0.1:6463", prefix: "pkg-run" },
        http: { host: "127.0.0.1", port: 8178 },
        recordings: { enabled: false },
        license: { file: join(work, "no-licence.jwt") },
      }),
    );
    const installed = join(work, "run-prefix");
    const callsFinished = `node -e 'fetch("http://127.0.0.1:8179/_emulator/calls").then(r => r.json()).then(c => process.exit(c.some(x => x.finish) ? 0 : 1), () => process.exit(1))'`;
    const r = inNetns(
      [
        `"${v1}/install.sh" --prefix "${installed}" --no-systemd`,
        redis.start,
        `timeout 90 node --import tsx packages/testkit/test/packaging/fixtures/offline-peers.ts --b24-port 8179 --ami-port 5139 --recording ${recording} > "${work}/peers.out" 2>&1 &`,
        "PEERS=$!",
        `for i in $(seq 1 150); do grep -q webhookUrl "${work}/peers.out" 2>/dev/null && break; sleep 0.2; done`,
        `timeout 90 "${installed}/current/bin/connector" run --config "${config}" > "${work}/run.log" 2>&1 &`,
        "RUN=$!",
        `for i in $(seq 1 150); do node "${installed}/current/lib/healthcheck.mjs" http://127.0.0.1:8178/status 2>/dev/null && break; sleep 0.2; done`,
        `node "${installed}/current/lib/healthcheck.mjs" http://127.0.0.1:8178/status && echo HEALTH=ok`,
        `for i in $(seq 1 150); do ${callsFinished} && break; sleep 0.2; done`,
        `${callsFinished} && echo CALL=finished-in-crm`,
        `node -e 'fetch("http://127.0.0.1:8178/status").then(r => r.text()).then(t => console.log("STATUS=" + t))'`,
        "kill -TERM $RUN; wait $RUN || true",
        "kill -TERM $PEERS; wait $PEERS || true",
        redis.stop,
      ].join("\n"),
      150_000,
    );
    const logs = () => `${r.stderr}\n--- peers\n${readText(join(work, "peers.out"))}\n--- connector\n${readText(join(work, "run.log"))}`;
    expect(r.code, logs()).toBe(0);
    expect(r.stdout, logs()).toContain("HEALTH=ok");
    expect(r.stdout, logs()).toContain("CALL=finished-in-crm");
    const status = JSON.parse(r.stdout.split("\n").find((l) => l.startsWith("STATUS="))!.slice(7)) as { version: string };
    expect(status.version).toBe("0.1.0");
  }, 180_000);

  it("an update over it keeps config and licence and runs the new version; --rollback returns to the first", () => {
    const config = join(prefix(), "etc/connector.json");
    const edited = readText(config).replace('"username": "asterisk-b24"', '"username": "crm"');
    writeFileSync(config, edited);
    writeFileSync(join(prefix(), "etc/license.jwt"), "eyJhbGciOiJFUzI1NiJ9.licence.signature\n");

    const update = inNetns([`"${v2}/install.sh" --prefix "${prefix()}" --no-systemd`, `"${prefix()}/current/bin/connector" --version`].join("\n"));
    expect(update.code, update.stderr).toBe(0);
    expect(update.stdout).toContain("connector: updated 0.1.0 -> 0.1.1");
    expect(update.stdout.split("\n")).toContain("0.1.1");
    expect(readText(config)).toBe(edited);
    expect(readText(join(prefix(), "etc/license.jwt"))).toBe("eyJhbGciOiJFUzI1NiJ9.licence.signature\n");
    const backup = readdirSync(join(prefix(), "backups"))[0]!;
    expect(readText(join(prefix(), "backups", backup, "etc/license.jwt"))).toContain("licence");

    const back = inNetns([`"${prefix()}/current/install.sh" --prefix "${prefix()}" --rollback`, `"${prefix()}/current/bin/connector" --version`].join("\n"));
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout.split("\n")).toContain("0.1.0");
    expect(readText(config)).toBe(edited);
    expect([linkVersion(prefix(), "current"), linkVersion(prefix(), "previous")]).toEqual(["0.1.0", "0.1.1"]);
  });

  it("re-installing the same version keeps config and links; a second rollback rolls forward", () => {
    const config = readText(join(prefix(), "etc/connector.json"));
    const again = inNetns(`"${v1}/install.sh" --prefix "${prefix()}" --no-systemd\n"${prefix()}/current/install.sh" --prefix "${prefix()}" --rollback`);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("connector: installed 0.1.0");
    expect(again.stdout).toContain("rolled back from 0.1.0 to 0.1.1");
    expect(linkVersion(prefix(), "current")).toBe("0.1.1");
    expect(readdirSync(join(prefix(), "releases")).sort()).toEqual(["0.1.0", "0.1.1"]);
    expect(readText(join(prefix(), "etc/connector.json"))).toBe(config);
  });
});
