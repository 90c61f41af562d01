import { fileURLToPath } from "node:url";
import type { Logger } from "../log/logger.js";
import { silentLogger } from "../log/logger.js";
import type { HookApiTokens } from "./api-tokens.js";
import { unavailableB24, type HookB24 } from "./b24.js";
import { hookSettings, parseHooksConfig, type HooksConfig, type HooksConfigInput } from "./config.js";
import { defaultOutput, interpretOutput, type HookInputs, type HookOutputs } from "./contract.js";
import { findHook, type HookTarget } from "./discovery.js";
import { HookBadOutputError, HookCrashError, HookError, HookNotFoundError } from "./errors.js";
import { hookEnvironment, runExecutableHook } from "./exec-runner.js";
import { excerpt, isPlainObject } from "./json.js";
import { runModuleHook } from "./module-runner.js";
import { HOOK_NAMES, type HookName } from "./names.js";
import { HookStats, type HookStatsSnapshot } from "./stats.js";

/** The PHP adapter shipped with the connector (runs an Itgrix-style `<hook>.php`). */
export const PHP_ADAPTER = fileURLToPath(new URL("./php/run-hook.php", import.meta.url));

export type HookForm = HookTarget["form"];

/** One failed run, for the journal. */
export interface HookErrorRecord {
  at: string;
  hook: HookName;
  error: HookError;
  form: HookForm | null;
  durationMs: number;
  /** call_full.channel.id (the linkedid) when the input has one. */
  callId?: string;
}

export type HookErrorSink = (record: HookErrorRecord) => void | Promise<void>;

export interface HookRunnerOptions {
  config?: HooksConfigInput | HooksConfig;
  /** Bitrix24 for in-process hooks (ctx.b24) and for the local API. */
  b24?: HookB24;
  /** Where executable hooks reach the local API (see createHookApiRouter) and its token store. */
  api?: { url: string; tokens: HookApiTokens };
  errorSink?: HookErrorSink;
  logger?: Logger;
}

interface ResultBase<H extends HookName> {
  hook: H;
  durationMs: number;
  form: HookForm | null;
}

export type HookResult<H extends HookName> =
  /** The hook's data is to be used. `stripped` lists keys it may not set (removed). */
  | (ResultBase<H> & { outcome: "applied"; data: HookOutputs[H]; stripped: string[]; raw: unknown; stderr?: string })
  /** Empty data: the request is not sent ("cancelled by customization"; not an error). */
  | (ResultBase<H> & { outcome: "cancelled"; raw: unknown; stderr?: string })
  /** The hook failed; `data` is the default and the error was recorded. */
  | (ResultBase<H> & { outcome: "default"; data: HookOutputs[H]; error: HookError; raw?: unknown; stderr?: string })
  /** The hook is not enabled: `data` is the default, nothing ran. */
  | (ResultBase<H> & { outcome: "disabled"; data: HookOutputs[H] });

export interface RunOptions {
  /** Run even when the hook is not enabled (hook-try). */
  force?: boolean;
}

export interface HookRunner {
  run<H extends HookName>(hook: H, input: HookInputs[H], options?: RunOptions): Promise<HookResult<H>>;
  isEnabled(hook: HookName): boolean;
  /** Counters per hook for /status. */
  stats(): HookStatsSnapshot;
  /** Itgrix-compatible `/status` fragment: `{"enabled": bool, "methods": {"<hook>": bool}}`. */
  customizerStatus(): { enabled: boolean; methods: Record<HookName, boolean> };
  readonly config: HooksConfig;
}

function callIdOf(input: unknown): string | undefined {
  if (!isPlainObject(input) || !isPlainObject(input.call_full)) return undefined;
  const channel = input.call_full.channel;
  return isPlainObject(channel) && typeof channel.id === "string" ? channel.id : undefined;
}

function toJsonValue(hook: HookName, value: unknown): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new HookBadOutputError(hook, [`the returned value is not JSON: ${(error as Error).message}`]);
  }
  if (text === undefined) throw new HookBadOutputError(hook, [`the returned value is not JSON (${typeof value})`]);
  return JSON.parse(text);
}

function parseStdout(hook: HookName, stdout: string): unknown {
  const text = stdout.trim();
  if (text === "") throw new HookBadOutputError(hook, ["printed nothing on stdout"]);
  try {
    return JSON.parse(text);
  } catch {
    throw new HookBadOutputError(hook, [`stdout is not JSON: ${excerpt(text, 80)}`], excerpt(text));
  }
}

/**
 * Creates the runner for the 14 customization points. `run()` never throws and never blocks
 * the call past the hook's timeout: any failure yields the default plus a recorded error.
 */
export function createHookRunner(options: HookRunnerOptions = {}): HookRunner {
  const config = parseHooksConfig(options.config);
  const log = (options.logger ?? silentLogger()).child({ component: "hooks" });
  const b24 = options.b24 ?? unavailableB24;
  const stats = new HookStats();
  const isEnabled = (hook: HookName) => hookSettings(config, hook).enabled;

  async function record(entry: HookErrorRecord): Promise<void> {
    stats.failed(entry.hook, entry.error.kind, entry.error.message, entry.durationMs);
    log.warn(
      { hook: entry.hook, kind: entry.error.kind, error: entry.error.name, form: entry.form, callId: entry.callId, durationMs: entry.durationMs, reason: entry.error.message },
      "hook failed, default used",
    );
    if (!options.errorSink) return;
    try {
      await options.errorSink(entry);
    } catch (sinkError) {
      log.error({ hook: entry.hook, err: (sinkError as Error)?.message }, "hook error sink failed");
    }
  }

  async function invoke(hook: HookName, target: HookTarget, input: unknown, timeoutMs: number): Promise<{ raw: unknown; stderr?: string }> {
    if (target.form === "module") {
      const value = await runModuleHook(hook, target.file, input, { hook, b24, log: log.child({ hook }) }, timeoutMs);
      return { raw: toJsonValue(hook, value) };
    }
    const command = target.form === "php" ? [config.php, PHP_ADAPTER, target.file] : target.command;
    const token = options.api?.tokens.issue(hook, timeoutMs + 5_000);
    const env = hookEnvironment({
      ...config.env,
      ASTERISK_B24_HOOK: hook,
      ...(options.api && token ? { ASTERISK_B24_API_URL: options.api.url, ASTERISK_B24_API_TOKEN: token } : {}),
    });
    try {
      const { stdout, stderr } = await runExecutableHook(hook, command, input, env, timeoutMs);
      return { raw: parseStdout(hook, stdout), ...(stderr ? { stderr } : {}) };
    } finally {
      if (token) options.api?.tokens.revoke(token);
    }
  }

  async function run<H extends HookName>(hook: H, input: HookInputs[H], runOptions: RunOptions = {}): Promise<HookResult<H>> {
    const settings = hookSettings(config, hook);
    const fallback = () => defaultOutput(hook, input);
    if (!settings.enabled && !runOptions.force) {
      return { hook, outcome: "disabled", data: fallback(), durationMs: 0, form: null };
    }
    const callId = callIdOf(input);
    const started = performance.now();
    let form: HookForm | null = null;
    let raw: unknown;
    let stderr: string | undefined;
    try {
      const found = await findHook(config.dir, hook, settings);
      if (!found.target) throw new HookNotFoundError(hook, `no hook file; looked for ${found.looked.join(", ")}`);
      form = found.target.form;
      ({ raw, stderr } = await invoke(hook, found.target, input, settings.timeoutMs));
      if (stderr) log.info({ hook, callId, stderr: excerpt(stderr, 2000) }, "hook wrote to stderr");
      const verdict = interpretOutput(hook, raw);
      const durationMs = performance.now() - started;
      if (verdict.kind === "cancelled") {
        stats.cancelled(hook, durationMs);
        log.info({ hook, callId, durationMs }, "cancelled by customization");
        return { hook, outcome: "cancelled", raw, durationMs, form, ...(stderr ? { stderr } : {}) };
      }
      stats.applied(hook, durationMs);
      if (verdict.stripped.length > 0) log.info({ hook, callId, stripped: verdict.stripped }, "hook set read-only or unknown keys; removed");
      return { hook, outcome: "applied", data: verdict.data, stripped: verdict.stripped, raw, durationMs, form, ...(stderr ? { stderr } : {}) };
    } catch (caught) {
      const durationMs = performance.now() - started;
      const error = caught instanceof HookError ? caught : new HookCrashError(hook, `runner failure: ${(caught as Error)?.message ?? String(caught)}`, {}, { cause: caught });
      await record({ at: new Date().toISOString(), hook, error, form, durationMs, ...(callId ? { callId } : {}) });
      return {
        hook,
        outcome: "default",
        data: fallback(),
        error,
        durationMs,
        form,
        ...(raw !== undefined ? { raw } : {}),
        ...(stderr ? { stderr } : {}),
      };
    }
  }

  return {
    run,
    isEnabled,
    config,
    stats: () => stats.snapshot(isEnabled),
    customizerStatus: () => {
      const methods = Object.fromEntries(HOOK_NAMES.map((h) => [h, isEnabled(h)])) as Record<HookName, boolean>;
      return { enabled: Object.values(methods).some(Boolean), methods };
    },
  };
}
