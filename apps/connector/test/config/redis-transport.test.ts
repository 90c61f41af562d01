import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestCertificates, requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { redisConnectionFields, checkRedisTls, redisOptions, SettingsError, validateConfig } from "@asterisk-b24/common";
import { z } from "zod";

// Real Redis processes: a TLS-only redis-server with a throw-away CA, and a Sentinel that
// watches the machine's Redis. What the connector and the b24-app get from `redisOptions`.

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function untilAnswers(port: number, tls: boolean, dir: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const args = ["-p", String(port), ...(tls ? ["--tls", "--cacert", join(dir, "ca.pem")] : []), "PING"];
      if (execFileSync("redis-cli", args, { encoding: "utf8" }).trim() === "PONG") return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`redis on port ${port} did not answer`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const children: ChildProcess[] = [];
let dir = "";
let tlsPort = 0;
let sentinelPort = 0;
const master = `ab24-test-${process.pid}`;

beforeAll(async () => {
  await requireService("redis");
  dir = mkdtempSync(join(tmpdir(), "ab24-redis-"));
  makeTestCertificates(dir);
  tlsPort = await freePort();
  const tlsArgs = ["--port", "0", "--tls-port", String(tlsPort), "--tls-cert-file", "server.pem", "--tls-key-file", "server.key", "--tls-ca-cert-file", "ca.pem"];
  children.push(spawn("redis-server", [...tlsArgs, "--tls-auth-clients", "no", "--save", "", "--appendonly", "no", "--dir", dir], { cwd: dir, stdio: "ignore" }));
  sentinelPort = await freePort();
  const conf = join(dir, "sentinel.conf");
  writeFileSync(conf, `port ${sentinelPort}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor ${master} ${SERVICES.redis.host} ${SERVICES.redis.port} 1\n`);
  children.push(spawn("redis-server", [conf, "--sentinel"], { cwd: dir, stdio: "ignore" }));
  await untilAnswers(tlsPort, true, dir);
  await untilAnswers(sentinelPort, false, dir);
}, 60_000);

afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function ping(options: ReturnType<typeof redisOptions>): Promise<string> {
  const r = new Redis({ ...options, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5000 });
  const errors: Error[] = [];
  r.on("error", (err: Error) => errors.push(err));
  try {
    await r.connect();
    return await r.ping();
  } catch (err) {
    // ioredis reports the socket's own reason (e.g. the TLS verdict) as an "error" event.
    throw errors[0] ?? err;
  } finally {
    r.disconnect();
  }
}

describe("Redis over TLS (rediss://)", () => {
  it("connects with the CA that signed the server's certificate", async () => {
    const options = redisOptions({ url: `rediss://127.0.0.1:${tlsPort}`, tls: { ca: join(dir, "ca.pem"), rejectUnauthorized: true } });
    expect(options.tls).toBeDefined();
    expect(await ping(options)).toBe("PONG");
  });

  it("refuses a server whose certificate the system CAs did not sign (no silent downgrade)", async () => {
    await expect(ping(redisOptions(`rediss://127.0.0.1:${tlsPort}`))).rejects.toThrow(/certificate/i);
  });

  it("never talks plain text to a TLS port", async () => {
    await expect(ping(redisOptions(`redis://127.0.0.1:${tlsPort}`))).rejects.toThrow();
  });

  it("carries BullMQ over TLS too", async () => {
    const connection = redisOptions({ url: `rediss://127.0.0.1:${tlsPort}`, tls: { ca: join(dir, "ca.pem"), rejectUnauthorized: true } });
    const q = new Queue(uniquePrefix("tlsq").replace(/:/g, "-"), { connection });
    try {
      const job = await q.add("x", { n: 1 });
      expect(await q.getJobCounts("waiting")).toEqual({ waiting: 1 });
      expect(job.id).toBeTruthy();
    } finally {
      await q.obliterate({ force: true });
      await q.close();
    }
  });
});

describe("Redis Sentinel", () => {
  it("finds the master the Sentinels name and works on it", async () => {
    const options = redisOptions({ url: "redis://ignored/0", sentinel: { name: master, nodes: [`127.0.0.1:${sentinelPort}`], tls: false } });
    expect(options.sentinels).toEqual([{ host: "127.0.0.1", port: sentinelPort }]);
    const key = uniquePrefix("sentinel");
    const viaSentinel = new Redis({ ...options, maxRetriesPerRequest: 1 });
    const direct = new Redis(SERVICES.redis.url);
    try {
      await viaSentinel.set(key, "through the sentinel", "EX", 60);
      expect(await direct.get(key)).toBe("through the sentinel");
    } finally {
      await direct.del(key);
      viaSentinel.disconnect();
      direct.disconnect();
    }
  });
});

describe("settings that would silently downgrade are refused", () => {
  const schema = z.strictObject({ redis: z.strictObject({ ...redisConnectionFields }).superRefine(checkRedisTls) });

  it("names the wrong key at start", () => {
    expect(() => validateConfig(schema, { redis: { url: "redis://h:6379", tls: { ca: "/x.pem" } } })).toThrow(/redis\.tls: .*rediss:\/\//);
    expect(() => validateConfig(schema, { redis: { url: "http://h:6379" } })).toThrow(/redis\.url/);
    expect(() => validateConfig(schema, { redis: { url: "redis://h", sentinel: { name: "m", nodes: ["nohost"] } } })).toThrow(/redis\.sentinel\.nodes\.0/);
  });

  it("says which file it could not read", () => {
    expect(() => redisOptions({ url: "rediss://h:6379", tls: { ca: "/nonexistent/ca.pem", rejectUnauthorized: true } })).toThrow(SettingsError);
    expect(() => redisOptions({ url: "rediss://h:6379", tls: { ca: "/nonexistent/ca.pem", rejectUnauthorized: true } })).toThrow(
      /redis\.tls\.ca: cannot read \/nonexistent\/ca\.pem/,
    );
  });
});
