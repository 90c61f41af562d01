import { Redis } from "ioredis";

export { redisOptions, type RedisTarget } from "@asterisk-b24/common";
import { redisOptions } from "@asterisk-b24/common";

export function connectRedis(url: string): Redis {
  return new Redis({ ...redisOptions(url), maxRetriesPerRequest: null });
}
