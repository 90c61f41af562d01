import { existsSync } from "node:fs";
import { redisOptions } from "@asterisk-b24/common";
import { Redis } from "ioredis";
import { loadConfigFile } from "../config/index.js";
import { CallOutbox } from "../outbox/call-outbox.js";
import type { StageEvent } from "../tracker/index.js";
import { isCallStage } from "./names.js";
import { loadCallFull, tryHook } from "./try-hook.js";

export interface HookTryCommand {
  hook: string;
  /** A JSON file (call_full or a journal record), or a call key stored in Redis (needs config). */
  file: string;
  config?: string;
  stage?: string;
}

/**
 * `asterisk-b24 hook-try HOOK CALL` — "what would my hook do with yesterday's call X": runs one
 * hook on a stored call (its last call_full from the connector's Redis, or a JSON file) and
 * prints input, output, verdict, duration and the request it would send. Bitrix24 is a dry run.
 */
export async function hookTryCommand(cmd: HookTryCommand): Promise<number> {
  const config = cmd.config ? loadConfigFile(cmd.config) : undefined;
  let callFull: unknown;
  if (existsSync(cmd.file)) {
    callFull = await loadCallFull(cmd.file);
  } else {
    if (!config) throw new Error(`${cmd.file} is not a file; to read a stored call by its key, pass --config`);
    const redis = new Redis({ ...redisOptions(config.redis), maxRetriesPerRequest: 2 });
    try {
      const stages = (await new CallOutbox(redis, config.redis.prefix).readAll(cmd.file)) as StageEvent[];
      const last = stages[stages.length - 1];
      if (!last) throw new Error(`no stored call ${cmd.file} in Redis (calls are kept 24 h after they end)`);
      callFull = last.call;
    } finally {
      redis.disconnect();
    }
  }
  const stage = cmd.stage ?? "call_ended";
  if (!isCallStage(stage)) throw new Error(`unknown stage "${stage}"`);
  const report = await tryHook({ hook: cmd.hook, callFull, stage, config: config?.hooks ?? {} });
  return report.verdict.includes("default used") ? 1 : 0;
}
