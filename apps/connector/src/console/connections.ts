import { readdir } from "node:fs/promises";
import { AmiClient } from "@asterisk-b24/ami";
import { describeRedis } from "@asterisk-b24/common";
import { amiEndpoint, type ConnectorConfig } from "../config/index.js";
import type { RecordingLookup } from "../recordings/index.js";
import { recordingFolders, withTimeout } from "./health.js";

/** The result of one connection test: what was tried, whether it worked, and what it said. */
export interface ConnectionTest {
  id: "ami" | "redis" | "bitrix24" | "recordings-db" | "recordings-dir";
  title: string;
  ok: boolean;
  detail: string;
}

export interface ConnectionPorts {
  redis: { ping(): Promise<string> };
  /** A Bitrix24 call through the connector's client (its queue, limits and credential). */
  b24Call(method: string, params?: Record<string, unknown>): Promise<unknown>;
  recordingLookup?: RecordingLookup | undefined;
  timeoutMs?: number;
}

async function attempt(id: ConnectionTest["id"], title: string, timeoutMs: number, run: () => Promise<string>): Promise<ConnectionTest> {
  try {
    return { id, title, ok: true, detail: await withTimeout(run(), timeoutMs) };
  } catch (err) {
    const e = err as Error & { description?: string; serverMessage?: string };
    return { id, title, ok: false, detail: e.serverMessage ?? e.description ?? e.message };
  }
}

/** AMI: a fresh login with the configured credentials and one Ping (no reconnect, no events). */
async function testAmi(config: ConnectorConfig, timeoutMs: number): Promise<string> {
  const ami = new AmiClient({
    ...amiEndpoint(config.ami),
    username: config.ami.username,
    secret: config.ami.secret,
    events: "off",
    connectTimeoutMs: timeoutMs,
    actionTimeoutMs: timeoutMs,
    keepalive: false,
    reconnect: false,
  });
  ami.on("error", () => undefined);
  try {
    const info = await ami.connect();
    const pong = await ami.action({ Action: "Ping" });
    const version = info.greeting ? ` (${info.greeting.raw})` : "";
    return `logged in as ${config.ami.username} at ${config.ami.host}:${config.ami.port}${version}; Ping → ${pong.response.get("Ping") ?? pong.response.get("Response") ?? "answered"}`;
  } finally {
    await ami.close().catch(() => undefined);
  }
}

/** Every connection the configuration names, tried at once; none stops the others. */
export async function testConnections(config: ConnectorConfig, ports: ConnectionPorts): Promise<ConnectionTest[]> {
  const t = ports.timeoutMs ?? 10_000;
  const tests: Array<Promise<ConnectionTest>> = [
    attempt("ami", "Asterisk AMI: login + Ping", t, () => testAmi(config, t)),
    attempt("redis", "Redis: PING", t, async () => `${await ports.redis.ping()} from ${describeRedis(config.redis)}`),
    // Methods every connector credential may call (a b24-app gateway token is scoped to them).
    attempt("bitrix24", "Bitrix24: user.get, telephony.externalLine.get", Math.max(t, 30_000), async () => {
      const users = await ports.b24Call("user.get", { FILTER: { ACTIVE: true } });
      const lines = await ports.b24Call("telephony.externalLine.get");
      const n = (v: unknown) => (Array.isArray(v) ? v.length : 0);
      return `user.get returned ${n(users)} active users (first page); telephony.externalLine.get returned ${n(lines)} external lines`;
    }),
  ];
  const lookup = config.recordings.lookup;
  if (lookup && ports.recordingLookup) {
    const l = ports.recordingLookup;
    tests.push(
      attempt("recordings-db", `Recordings database (${lookup.driver}): lookup query`, t, async () => {
        const found = await l.find({ uniqueid: "0000000000.0" });
        return `query ran${found ? ` (returned ${found})` : " (no row for a dummy call, as expected)"}`;
      }),
    );
  }
  if (config.recordings.enabled) {
    tests.push(
      attempt("recordings-dir", "Recordings folder readable", t, async () => {
        const parts: string[] = [];
        for (const dir of recordingFolders(config)) parts.push(`${dir}: ${(await readdir(dir)).length} entries`);
        return parts.join("; ");
      }),
    );
  }
  return Promise.all(tests);
}
