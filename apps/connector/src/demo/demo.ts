/**
 * `pnpm demo`: the whole product on one machine with embedded defaults.
 *
 *   Redis (the local one, or a child redis-server)  ─┐
 *   AMI replay server (real Asterisk recordings)  ──► connector ──► Bitrix24 emulator (+ web page)
 *
 * Prints each call as it lands in the CRM. Runs until Ctrl-C (the recordings loop, with fresh
 * ids each pass), or one pass with --once.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadRecording, portOpen, recordingNames } from "@asterisk-b24/testkit";
import { createLogger } from "../log/logger.js";
import { startStack, type Stack } from "./stack.js";

export interface DemoOptions {
  speed: number | "asap";
  once: boolean;
  emulatorPort?: number;
  httpPort?: number;
}

const REDIS_PORT = 6379;
const CHILD_REDIS_PORT = 6479;

/** A reachable Redis URL: the machine's own, or a child redis-server the demo starts. */
async function ensureRedis(): Promise<{ url: string; child?: ChildProcess }> {
  if (await portOpen("127.0.0.1", REDIS_PORT)) return { url: `redis://127.0.0.1:${REDIS_PORT}` };
  if (await portOpen("127.0.0.1", CHILD_REDIS_PORT)) return { url: `redis://127.0.0.1:${CHILD_REDIS_PORT}` };
  const dir = mkdtempSync(join(tmpdir(), "ab24-demo-redis-"));
  const child = spawn("redis-server", ["--port", String(CHILD_REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--dir", dir], { stdio: "ignore" });
  const failed = new Promise<never>((_, reject) =>
    child.once("error", () =>
      reject(
        new Error(
          "Redis is not reachable on 127.0.0.1:6379 and redis-server is not installed.\nInstall it with:  sudo apt-get install redis-server   (or run Redis in docker: docker run -p 6379:6379 redis:7)",
        ),
      ),
    ),
  );
  for (let i = 0; i < 50; i++) {
    const up = await Promise.race([portOpen("127.0.0.1", CHILD_REDIS_PORT), failed]);
    if (up) {
      process.stderr.write(`demo: started a child redis-server on 127.0.0.1:${CHILD_REDIS_PORT} (AOF in ${dir})\n`);
      return { url: `redis://127.0.0.1:${CHILD_REDIS_PORT}`, child };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error("redis-server did not start");
}

function line(stack: Stack, callKey: string): Promise<string> {
  return (async () => {
    const rec = await stack.connector.journal.get(callKey);
    const s = rec?.summary;
    if (!s) return `? ${callKey}`;
    if (s.status === "skipped") return `·  ${callKey}  not for the CRM: ${s.reason}`;
    if (s.status !== "delivered") return `✗  ${callKey}  ${s.status}: ${s.reason ?? ""}`;
    if (s.reason?.startsWith("merged into")) return `·  ${callKey}  ${s.reason}`;
    const call = stack.emu.calls().find((c) => c.CALL_ID === s.crmCallId);
    const user = (id: number | string | undefined) => {
      const u = stack.emu.users().find((x) => Number(x.ID) === Number(id));
      return u ? `${u.NAME} ${u.LAST_NAME ?? ""}`.trim() + ` (${u.UF_PHONE_INNER ?? id})` : String(id);
    };
    const dir = s.direction === "outbound" ? `→ ${s.clientNumber}` : `${s.clientNumber} →`;
    const status = s.statusCode === "200" ? "answered" : `not answered (${s.statusCode})`;
    const shown = call ? [...new Set(call.shows.map((x) => x.USER_ID))] : [];
    return [
      `✔  ${dir} line ${s.lineNumber || "-"}  ${s.direction} ${status}, ${s.durationSec}s, responsible ${user(s.responsibleUserId)}`,
      `   Bitrix24 ${s.crmCallId}${call?.registeredBy === "portal" ? " (click-to-call)" : ""}; card shown to ${shown.map(user).join(", ") || "nobody"}; ${call?.records.length ? "recording attached" : "no recording"}`,
    ].join("\n");
  })();
}

export async function runDemo(options: DemoOptions): Promise<number> {
  const redis = await ensureRedis();
  const names = recordingNames();
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? "warn", destination: process.stderr });
  let delivered = 0;
  let done = 0;
  let stack: Stack | undefined;
  const printQueue: string[] = [];
  // eslint-disable-next-line prefer-const -- read by onCallDone, which may run before startStack resolves
  stack = await startStack({
    recordings: names.map((n) => loadRecording(n)),
    speed: options.speed,
    loop: !options.once,
    gapMs: 2000,
    redisUrl: redis.url,
    redisPrefix: `ab24demo:${Date.now().toString(36)}`,
    purgeOnClose: true,
    config: { license: { demo: true } },
    emulatorPort: options.emulatorPort ?? 8079,
    httpPort: options.httpPort ?? 8077,
    logger,
    onCallDone: (callKey) => {
      done++;
      void line(stack!, callKey).then((text) => {
        if (text.startsWith("✔")) delivered++;
        process.stdout.write(text + "\n");
      });
    },
  });
  void printQueue;
  process.stdout.write(
    [
      `asterisk-b24 demo: ${names.length} real Asterisk recordings replayed at ${options.speed}× ${options.once ? "once" : "in a loop"}`,
      "",
      `  ▶ CONSOLE (open this):          http://127.0.0.1:${stack.connector.httpPort}/console/   (no login in the demo)`,
      "",
      `  Bitrix24 emulator (calls page): ${stack.emu.url}/_emulator/`,
      `  b24-app page inside the portal: ${stack.emu.url}/_emulator/portal/app?user=1   (user=2: not an admin)`,
      `  connector status:               http://127.0.0.1:${stack.connector.httpPort}/status`,
      `  connector journal:              http://127.0.0.1:${stack.connector.httpPort}/api/calls`,
      "",
    ].join("\n"),
  );
  const stop = async () => {
    await stack!.close();
    redis.child?.kill();
  };
  openInBrowser(`http://127.0.0.1:${stack.connector.httpPort}/console/`, options.once === true);
  if (options.once) {
    await stack.idle();
    await new Promise((r) => setTimeout(r, 200));
    process.stdout.write(`\ndemo: ${done} calls processed, ${delivered} landed in Bitrix24; failed: ${await stack.connector.journal.failedCount()}\n`);
    const failed = await stack.connector.journal.failedCount();
    await stop();
    return failed === 0 ? 0 : 1;
  }
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await stop();
  return 0;
}

/** On a desktop session the demo opens the console in the default browser (never in CI or with --once). */
function openInBrowser(url: string, once: boolean): void {
  if (once || process.env.CI || !(process.env.DISPLAY || process.env.WAYLAND_DISPLAY || process.platform === "darwin")) return;
  const child = spawn(process.platform === "darwin" ? "open" : "xdg-open", [url], { detached: true, stdio: "ignore" });
  child.on("error", () => undefined);
  child.unref();
}
