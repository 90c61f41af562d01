import { stat } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import type { Logger } from "../log/logger.js";
import type { HookB24 } from "./b24.js";
import { HookCrashError, HookNotFoundError, HookTimeoutError } from "./errors.js";
import type { HookName } from "./names.js";

/** What an in-process hook gets as its second argument. */
export interface HookContext {
  hook: HookName;
  /** Bitrix24 through the connector's queue (same limiter, same batches). */
  b24: HookB24;
  /** The connector's logger, bound to the hook. */
  log: Logger;
  /** Aborted when the hook's timeout passes: stop work and return. */
  signal: AbortSignal;
}

/** The default export of `<hook>.js|.mjs|.ts`. Returns the Itgrix envelope `{data, state}`. */
export type HookFunction<I = unknown, O = unknown> = (input: I, ctx: HookContext) => O | Promise<O>;

const cache = new Map<string, Promise<unknown>>();

/** Imports a hook module; a changed .js/.mjs file (new mtime) is imported afresh, as PHP re-reads its file. */
async function loadHookFunction(hook: HookName, file: string): Promise<HookFunction> {
  let mtime: number;
  try {
    mtime = (await stat(file)).mtimeMs;
  } catch {
    throw new HookNotFoundError(hook, `module ${file} does not exist`);
  }
  const key = `${file}?v=${mtime}`;
  let loading = cache.get(key);
  if (!loading) {
    // A changed .js/.mjs gets a new URL, hence a fresh import. .ts is imported by its plain URL
    // (not every TypeScript loader accepts a query): edit a .ts hook, restart the connector.
    const href = pathToFileURL(file).href;
    loading = import(file.endsWith(".ts") ? href : `${href}?v=${mtime}`);
    cache.set(key, loading);
    loading.catch(() => cache.delete(key));
  }
  let mod: unknown;
  try {
    mod = await loading;
  } catch (error) {
    throw new HookCrashError(hook, `module ${file} failed to load: ${(error as Error)?.message ?? error}`, {}, { cause: error });
  }
  const fn = (mod as { default?: unknown }).default;
  if (typeof fn !== "function") throw new HookNotFoundError(hook, `module ${file} has no default export function`);
  return fn as HookFunction;
}

/**
 * Runs an in-process hook with a deadline. A hook that throws → HookCrashError; one that does
 * not settle in time → HookTimeoutError (its signal is aborted; a synchronous endless loop
 * cannot be stopped in-process: use the executable form for code you do not trust).
 */
export async function runModuleHook(hook: HookName, file: string, input: unknown, ctx: Omit<HookContext, "signal">, timeoutMs: number): Promise<unknown> {
  const fn = await loadHookFunction(hook, file);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new HookTimeoutError(hook, timeoutMs));
      reject(new HookTimeoutError(hook, timeoutMs));
    }, timeoutMs);
  });
  try {
    const call = (async () => fn(structuredClone(input), { ...ctx, signal: controller.signal }))();
    call.catch(() => undefined); // settles after a timeout: nobody listens any more
    return await Promise.race([call, deadline]).catch((error: unknown) => {
      if (error instanceof HookTimeoutError) throw error;
      throw new HookCrashError(hook, `threw: ${(error as Error)?.message ?? String(error)}`, {}, { cause: error });
    });
  } finally {
    clearTimeout(timer);
  }
}
