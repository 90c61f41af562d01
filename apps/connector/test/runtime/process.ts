/**
 * The connector as a real child process (`node --import tsx cli.ts run --config FILE`), for
 * start-up and stop tests: its log lines, HTTP port, /status, signals and exit code. Everything
 * waits for conditions, never for a fixed time.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = join(import.meta.dirname, "../../src/cli.ts");

export const ADMIN = { user: "admin", password: "admin-password" };
const AUTH = { authorization: "Basic " + Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString("base64") };

/** Polls `check` until it returns a truthy value; fails with `label` after `timeoutMs`. */
export async function until<T>(label: string, check: () => T | Promise<T>, timeoutMs = 120_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${label}${lastErr ? ` (last error: ${(lastErr as Error).message})` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface StatusDoc {
  app_status: "Ok" | "Warning" | "Error";
  problems: string[];
  app: Record<string, Record<string, unknown> & { health: string }>;
}

export interface ConnectorProcess {
  readonly child: ChildProcess;
  /** The configuration file it runs with. */
  readonly configFile: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Parsed JSON log lines so far. */
  lines(): Array<Record<string, unknown>>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  hasExited(): boolean;
  /** The HTTP port, once "http listening" was logged. */
  port(): Promise<number>;
  status(): Promise<{ code: number; doc: StatusDoc }>;
  get(path: string, init?: RequestInit): Promise<Response>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Writes `config` (with test defaults: HTTP on an ephemeral port with admin auth, no licence) and starts the service. */
export function startConnectorProcess(config: Record<string, unknown>, env: Record<string, string> = {}): ConnectorProcess {
  const dir = mkdtempSync(join(tmpdir(), "ab24-proc-"));
  const file = join(dir, "connector.json");
  writeFileSync(
    file,
    JSON.stringify({
      http: { host: "127.0.0.1", port: 0, auth: ADMIN },
      license: { file: join(dir, "none.jwt") },
      log: { level: "info" },
      ...config,
    }),
  );
  const child = spawn(process.execPath, ["--import", "tsx", CLI, "run", "--config", file], {
    env: { ...process.env, ASTERISK_B24_AMI_SECRET: "secret", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  let done = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      done = true;
      resolve(code);
    }),
  );
  const lines = () =>
    out
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return {};
        }
      });
  let port = 0;
  const self: ConnectorProcess = {
    child,
    configFile: file,
    output: () => out,
    lines,
    exited,
    hasExited: () => done,
    async port() {
      if (port) return port;
      port = await until("http listening", () => {
        if (done) throw new Error(`the connector exited:\n${out}`);
        const line = lines().find((l) => l.msg === "http listening");
        return line ? Number(line.port) : 0;
      });
      return port;
    },
    async status() {
      const res = await fetch(`http://127.0.0.1:${await self.port()}/status`, { headers: AUTH });
      return { code: res.status, doc: (await res.json()) as StatusDoc };
    },
    async get(path, init = {}) {
      return fetch(`http://127.0.0.1:${await self.port()}${path}`, { ...init, headers: { ...AUTH, ...(init.headers as Record<string, string> | undefined) } });
    },
    async stop(signal = "SIGTERM") {
      if (!done) child.kill(signal);
      return exited;
    },
  };
  return self;
}

/**
 * Runs the bundled health probe (packaging/healthcheck.mjs, placeholders filled as `pnpm bundle`
 * fills them) with `--config FILE`; resolves with its exit code and stderr.
 */
export async function runHealthcheck(proc: ConnectorProcess): Promise<{ code: number | null; stderr: string }> {
  const { readFileSync, writeFileSync: write, mkdtempSync: mk } = await import("node:fs");
  const template = readFileSync(join(import.meta.dirname, "../../../../packaging/healthcheck.mjs"), "utf8");
  const dir = mk(join(tmpdir(), "ab24-health-"));
  const probe = join(dir, "healthcheck.mjs");
  write(probe, template.replaceAll("@PORT@", "8077").replaceAll("@PATH@", "/status").replaceAll("@APP@", "connector"));
  // The test process listens on an ephemeral port: the probe gets the same configuration with that port written in.
  const config = JSON.parse(readFileSync(proc.configFile, "utf8")) as { http: Record<string, unknown> };
  config.http.port = await proc.port();
  const configFile = join(dir, "connector.json");
  write(configFile, JSON.stringify(config));
  const child = spawn(process.execPath, [probe, "--config", configFile], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, stderr };
}
