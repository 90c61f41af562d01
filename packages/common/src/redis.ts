export interface RedisTarget {
  host: string;
  port: number;
  password?: string;
  username?: string;
  db?: number;
}

/** redis://[user:pass@]host:port/db → ioredis options (also what BullMQ takes as `connection`). */
export function redisOptions(url: string): RedisTarget {
  const u = new URL(url);
  return {
    host: u.hostname || "127.0.0.1",
    port: Number(u.port || 6379),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
  };
}
