import { Redis } from "ioredis";
import { requireService, uniquePrefix } from "@asterisk-b24/testkit";

/** Real Redis on 127.0.0.1:6379; under CI=true a missing Redis throws (the test fails, never skips). */
export async function redisOrSkip(): Promise<boolean> {
  return requireService("redis");
}

export function newRedis(): Redis {
  return new Redis({ host: "127.0.0.1", port: 6379, maxRetriesPerRequest: 3 });
}

export async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== "0");
}

export { uniquePrefix };

import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
const fixture = fileURLToPath(new URL("./fixtures/connector-process.ts", import.meta.url));

export interface ChildRun {
  child: ChildProcess;
  /** Resolves with the JSON line of the "done" event (rejects if the process exits without one). */
  done: Promise<Record<string, unknown>>;
  ready: Promise<void>;
}

/** Starts a real connector process (own Node process, own Redis connections, own worker). */
export function startConnectorProcess(env: Record<string, string>): ChildRun {
  const child = spawn(process.execPath, ["--import", "tsx", fixture], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let buf = "";
  let stderr = "";
  let onReady: () => void = () => {};
  const ready = new Promise<void>((r) => (onReady = r));
  const done = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.stdout!.on("data", (c: Buffer) => {
      buf += c.toString();
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          const o = JSON.parse(line) as Record<string, unknown>;
          if (o.event === "ready") onReady();
          if (o.event === "done") resolve(o);
        } catch {
          /* not ours */
        }
      }
    });
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("exit", (code, signal) => reject(new Error(`connector process exited ${code ?? signal} without a result\n${stderr.slice(-2000)}`)));
  });
  done.catch(() => {});
  return { child, done, ready };
}

/** Polls until cond() is true (no time assertion: the test's own timeout bounds it). */
export async function until(cond: () => boolean | Promise<boolean>, everyMs = 50): Promise<void> {
  while (!(await cond())) await new Promise((r) => setTimeout(r, everyMs));
}
