import { Redis } from "ioredis";
import { redisOptions } from "@asterisk-b24/common";

/**
 * Deletes every Redis key matching the patterns (SCAN + UNLINK in batches, never KEYS): what a
 * demo run leaves behind under its own prefix. Returns how many keys were removed.
 */
export async function purgeRedisKeys(url: string, patterns: string[]): Promise<number> {
  const redis = new Redis({ ...redisOptions(url), lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  let removed = 0;
  try {
    for (const match of patterns) {
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", match, "COUNT", 1000);
        cursor = next;
        if (keys.length > 0) removed += await redis.unlink(...keys);
      } while (cursor !== "0");
    }
  } finally {
    redis.disconnect();
  }
  return removed;
}

/** Glob-escapes a literal key part (SCAN MATCH treats * ? [ ] \ specially). */
export function globLiteral(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
