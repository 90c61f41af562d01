/**
 * Helpers for the packaging tests: build bundles (the real `pnpm bundle` CLI or buildBundle for test
 * manifests), unpack them, and run shell scripts inside a fresh network namespace (`unshare -n`: only
 * a loopback interface, no route anywhere) with every child bounded by a timeout.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildBundle, type BundleResult } from "../../../../scripts/bundle/build-bundle.js";
import type { AppManifest } from "../../../../scripts/bundle/manifests.js";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], options: { cwd?: string; timeoutMs: number; env?: NodeJS.ProcessEnv }): Run {
  const r = spawnSync(cmd, args, {
    cwd: options.cwd ?? REPO_ROOT,
    encoding: "utf8",
    timeout: options.timeoutMs,
    killSignal: "SIGKILL",
    env: options.env ?? process.env,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code !== "ETIMEDOUT") throw r.error;
  return { code: r.status, stdout: r.stdout ?? "", stderr: (r.stderr ?? "") + (r.error ? `\n[${r.error.message}]` : "") };
}

export function tempDir(label: string): string {
  const base = join(REPO_ROOT, ".tmp");
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, `packaging-${label}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The real CLI, as `pnpm bundle <app> --version <v> --out <dir>` runs it. Returns the archive path. */
export function bundleWithCli(app: string, version: string, outDir: string): { archive: string; run: Run } {
  const r = run(process.execPath, ["--import", "tsx", "scripts/bundle.ts", app, "--version", version, "--out", outDir], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`pnpm bundle ${app} failed (${r.code}):\n${r.stderr}`);
  return { archive: r.stdout.trim().split("\n").pop()!, run: r };
}

export async function bundleManifest(manifest: AppManifest, version: string, outDir: string): Promise<BundleResult> {
  return buildBundle({ manifest, repoRoot: REPO_ROOT, outDir, version });
}

/** Unpacks an archive into `dir`; returns the bundle's top folder. */
export function unpack(archive: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const r = run("tar", ["-xzf", archive, "-C", dir], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`tar failed: ${r.stderr}`);
  const listed = run("tar", ["-tzf", archive], { timeoutMs: 60_000 }).stdout.split("\n")[0]!;
  return join(dir, listed.split("/")[0]!);
}

/** Whether `unshare -n` can make a network namespace here (root or CAP_SYS_ADMIN). */
export function netnsAvailable(): { ok: boolean; reason: string } {
  try {
    const r = run("unshare", ["-n", "true"], { timeoutMs: 10_000 });
    return r.code === 0 ? { ok: true, reason: "" } : { ok: false, reason: `unshare -n failed: ${r.stderr.trim()}` };
  } catch (err) {
    return { ok: false, reason: `unshare not usable: ${(err as Error).message}` };
  }
}

/**
 * Runs a bash script in a new network namespace. The prologue brings up loopback and records what
 * network the namespace has (`NETNS links=… routes=…` on stderr), so a test can prove there is none.
 */
export function inNetns(script: string, timeoutMs = 120_000, env: NodeJS.ProcessEnv = {}): Run {
  const prologue = [
    "set -euo pipefail",
    "ip link set lo up",
    'echo "NETNS links=$(ip -o link show | awk -F": " \'{print $2}\' | tr "\\n" ",") routes=$(ip route show | wc -l)" >&2',
  ].join("\n");
  return run("unshare", ["-n", "bash", "-c", `${prologue}\n${script}`], { timeoutMs, env: { ...process.env, ...env } });
}

/** `<prefix>/<link>` → the release version it points at. */
export function linkVersion(prefix: string, link: "current" | "previous"): string {
  const r = run("readlink", [join(prefix, link)], { timeoutMs: 5_000 });
  return r.stdout.trim().split("/").pop() ?? "";
}

export function readText(path: string): string {
  return readFileSync(path, "utf8");
}

/** A Redis bound to loopback inside the namespace for the length of the script (bounded by timeout). */
export function redisInNetns(port: number, dir: string): { start: string; stop: string } {
  return {
    start: [
      `timeout 120 redis-server --port ${port} --bind 127.0.0.1 --save "" --appendonly no --dir ${dir} --logfile ${dir}/redis.log &`,
      "REDIS_PID=$!",
      'trap \'kill $REDIS_PID 2>/dev/null || true\' EXIT',
      `for i in $(seq 1 50); do redis-cli -p ${port} ping >/dev/null 2>&1 && break; sleep 0.1; done`,
    ].join("\n"),
    stop: "kill $REDIS_PID 2>/dev/null || true",
  };
}

/** `tsx <args>` from the repo root (the development way of running an app), bounded. */
export function runTsx(args: string[], timeoutMs = 60_000): Run {
  return run(process.execPath, ["--import", "tsx", ...args], { timeoutMs });
}

/** Names only the test kit, the demo or the emulator define: none may appear in a release bundle. */
const TEST_KIT_MARKERS = ["startB24Emulator", "startAmiReplayServer", "ReplayPlayer", "replicateRecording", "DEMO_USERS", "runDemo", "replayThroughTracker", "_emulator/"];

/** What of the test kit a bundle carries: marker names in its compiled code, test-kit files in share/. */
export function testKitTraces(bundleDir: string): string[] {
  const traces: string[] = [];
  for (const file of readdirSync(join(bundleDir, "lib")).filter((f) => f.endsWith(".mjs"))) {
    const code = readFileSync(join(bundleDir, "lib", file), "utf8");
    for (const marker of TEST_KIT_MARKERS) if (code.includes(marker)) traces.push(`lib/${file}: ${marker}`);
  }
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (/testkit|b24-emulator|ami-replay|fixtures/.test(p.slice(bundleDir.length))) traces.push(p.slice(bundleDir.length + 1));
      else if (e.isDirectory()) walk(p);
    }
  };
  walk(join(bundleDir, "share"));
  return traces;
}
