import { createConnection } from "node:net";

/**
 * Integration tests talk to the real services on this machine. Under CI (CI=true) a missing
 * service is a failure, never a silent skip; on a developer machine the test may skip.
 */
export const SERVICES = {
  redis: { host: "127.0.0.1", port: 6379, url: "redis://127.0.0.1:6379" },
  postgres: { host: "127.0.0.1", port: 5432, database: "test" },
  mariadb: { host: "127.0.0.1", port: 3306, user: "root", database: "test" },
} as const;

export type ServiceName = keyof typeof SERVICES;

/** True when the TCP port answers within the timeout. */
export function portOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Resolves when the service answers. Under CI it throws (so the test fails); elsewhere it
 * returns false so the caller can skip with a message.
 */
export async function requireService(name: ServiceName): Promise<boolean> {
  const { host, port } = SERVICES[name];
  if (await portOpen(host, port)) return true;
  const message = `${name} is not reachable on ${host}:${port}`;
  if (process.env.CI === "true" || process.env.CI === "1") throw new Error(`${message} (CI=true: integration tests must not skip)`);
  process.stderr.write(`skipping: ${message}\n`);
  return false;
}

/** A unique prefix for keys/queues so parallel test files never collide. */
export function uniquePrefix(label: string): string {
  return `t:${label}:${process.pid}:${Date.now().toString(36)}:${Math.random().toString(36).slice(2, 8)}`;
}
