import { Redis } from "ioredis";

export { redisOptions, type RedisTarget } from "@asterisk-b24/common";
import { redisOptions, type RedisSettings } from "@asterisk-b24/common";

export function connectRedis(settings: string | RedisSettings): Redis {
  return new Redis({ ...redisOptions(settings), maxRetriesPerRequest: null });
}
