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
