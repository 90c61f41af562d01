import { spawn } from "node:child_process";
import type { HookName } from "./names.js";
import { HookCrashError, HookTimeoutError } from "./errors.js";

export interface ExecResult {
  stdout: string;
  /** Captured stderr (tail), logged even when the hook succeeds. */
  stderr: string;
  pid: number | undefined;
}

/** Upper bounds on what a hook may print: a runaway hook cannot fill the connector's memory. */
export const MAX_STDOUT_BYTES = 4 * 1024 * 1024;
export const MAX_STDERR_BYTES = 64 * 1024;

/** Environment variables passed through from the connector to executable hooks (nothing secret). */
export const PASSED_ENV = ["PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "USER", "NODE_PATH"];

export function hookEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of PASSED_ENV) if (process.env[key] !== undefined) env[key] = process.env[key];
  return { ...env, ...extra };
}

/** The line of a crash report worth a log message: the error itself, not the stack. */
export function summarizeStderr(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("at ") && !l.startsWith("#"));
  const error = lines.filter((l) => /error|exception|fatal|traceback/i.test(l) && !/^Node\.js v/.test(l)).at(-1);
  return (error ?? lines.at(-1) ?? "").slice(0, 500);
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, "SIGKILL"); // the hook and anything it started (ffmpeg, sox, …)
  } catch {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
}

/**
 * Runs `command` with the input as JSON on stdin; resolves with stdout when it exits 0.
 * Timeout → the process group is killed and HookTimeoutError thrown once it is gone.
 * Non-zero exit, a signal, or a failure to start → HookCrashError (with the stderr tail).
 */
export function runExecutableHook(hook: HookName, command: string[], input: unknown, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ExecResult> {
  const [file, ...args] = command;
  return new Promise<ExecResult>((resolve, reject) => {
    const child = spawn(file!, args, { stdio: ["pipe", "pipe", "pipe"], env, detached: true });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = "";
    let timedOut = false;
    let overflow = false;
    let spawnError: Error | undefined;

    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);

    child.stdout.on("data", (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > MAX_STDOUT_BYTES) {
        overflow = true;
        killGroup(child.pid);
        return;
      }
      stdout.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-MAX_STDERR_BYTES);
    });
    child.on("error", (error) => {
      spawnError = error;
      if (child.pid === undefined) {
        clearTimeout(timer);
        reject(new HookCrashError(hook, `could not start ${file}: ${error.message}`, {}, { cause: error }));
      }
    });
    child.stdin.on("error", () => undefined); // EPIPE: the hook exited without reading its input
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const pid = child.pid;
      const tail = stderr.trim().slice(-2000);
      if (timedOut) return reject(new HookTimeoutError(hook, timeoutMs, pid));
      if (spawnError) {
        return reject(new HookCrashError(hook, `could not start ${file}: ${spawnError.message}`, { stderr: tail }, { cause: spawnError }));
      }
      if (overflow) return reject(new HookCrashError(hook, `printed more than ${MAX_STDOUT_BYTES} bytes`, { signal, stderr: tail }));
      if (code !== 0) {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const summary = summarizeStderr(tail);
        return reject(new HookCrashError(hook, `${how}${summary ? `: ${summary}` : ""}`, { exitCode: code, signal, stderr: tail }));
      }
      resolve({ stdout: Buffer.concat(stdout).toString("utf8"), stderr: tail, pid });
    });

    if (child.pid !== undefined) child.stdin.end(JSON.stringify(input));
  });
}
