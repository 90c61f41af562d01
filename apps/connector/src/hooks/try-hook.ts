import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import express from "express";
import { createHookApiRouter } from "./api-router.js";
import { HookApiTokens } from "./api-tokens.js";
import type { HookB24 } from "./b24.js";
import type { CallFull } from "./call-full.js";
import type { HooksConfig, HooksConfigInput } from "./config.js";
import { defaultOutput, type HookInputs } from "./contract.js";
import { isPlainObject } from "./json.js";
import { isCallStage, isHookName, HOOK_NAMES, type CallStage, type HookName } from "./names.js";
import { previewRequest, type RequestPreview } from "./request-preview.js";
import { createHookRunner, type HookResult } from "./runner.js";
import { buildHookInput } from "./sample-input.js";

export class HookTryUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HookTryUsageError";
  }
}

export interface TryHookOptions {
  hook: string;
  /** call_full, or a journal record / hook input that holds it under `call_full`. */
  callFull: unknown;
  stage?: CallStage;
  config: HooksConfigInput | HooksConfig;
  /** Fields that replace the generated input's (e.g. the real CALL_ID, the activity). */
  input?: Record<string, unknown>;
  /** Bitrix24 to use; default a dry run that records calls and answers `{}` (nothing is written). */
  b24?: HookB24;
  /** Where the report goes, a line at a time; default stdout. */
  print?: (line: string) => void;
}

export interface TryHookReport<H extends HookName = HookName> {
  hook: H;
  stage: CallStage;
  input: HookInputs[H];
  result: HookResult<H>;
  /** "valid", "cancelled (empty data)", or the error. */
  verdict: string;
  /** The request that would be sent (null when cancelled). */
  request: RequestPreview | null;
  /** Bitrix24 calls the hook itself made. */
  b24Calls: { method: string; params: unknown }[];
}

/** Accepts call_full itself, `{call_full: …}` (hook input) or a journal record `{call: {call_full}}`. */
export function extractCallFull(value: unknown): CallFull {
  if (!isPlainObject(value)) throw new HookTryUsageError("the call file must hold a JSON object (call_full or a record with call_full)");
  if (isPlainObject(value.call_full)) return value.call_full as CallFull;
  if (isPlainObject(value.call) && isPlainObject(value.call.call_full)) return value.call.call_full as CallFull;
  return value as CallFull;
}

export async function loadCallFull(file: string): Promise<CallFull> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new HookTryUsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return extractCallFull(JSON.parse(text));
  } catch (error) {
    if (error instanceof HookTryUsageError) throw error;
    throw new HookTryUsageError(`${file} is not JSON: ${(error as Error).message}`);
  }
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

/**
 * "What would my hook do with yesterday's call X": runs one hook (even if it is not enabled) on a
 * stored call, and prints the input, the answer, the verdict, the duration and the request that
 * would have been sent or cancelled. Wired as `asterisk-b24 hook-try <hook> <call.json> [--stage s]`.
 */
export async function tryHook(options: TryHookOptions): Promise<TryHookReport> {
  const { hook } = options;
  if (!isHookName(hook)) throw new HookTryUsageError(`unknown hook "${hook}"; one of: ${HOOK_NAMES.join(", ")}`);
  const stage = options.stage ?? "call_ended";
  if (!isCallStage(stage)) throw new HookTryUsageError(`unknown stage "${String(stage)}"`);
  const print = options.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const callFull = extractCallFull(options.callFull);

  const b24Calls: { method: string; params: unknown }[] = [];
  const target = options.b24;
  const recording: HookB24 = {
    call: async (method, params) => {
      b24Calls.push({ method, params: params ?? {} });
      return target ? target.call(method, params) : {};
    },
  };

  // Executable hooks reach Bitrix24 through the same local API as in production.
  const tokens = new HookApiTokens();
  const app = express();
  app.use("/hooks-api", createHookApiRouter({ b24: recording, tokens }));
  const server = await new Promise<import("node:http").Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  try {
    const { port } = server.address() as AddressInfo;
    const runner = createHookRunner({ config: options.config, b24: recording, api: { url: `http://127.0.0.1:${port}/hooks-api`, tokens } });
    const input = { ...buildHookInput(hook, callFull, stage), ...(options.input ?? {}) } as HookInputs[typeof hook];
    const result = await runner.run(hook, input, { force: true });

    let verdict: string;
    let request: RequestPreview | null = null;
    switch (result.outcome) {
      case "applied":
        verdict = result.stripped.length ? `valid (removed: ${result.stripped.join(", ")})` : "valid";
        request = previewRequest(hook, input, result.data);
        break;
      case "cancelled":
        verdict = "cancelled by customization (empty data)";
        break;
      case "default":
        verdict = `${result.error.name}: ${result.error.message} → default used`;
        request = previewRequest(hook, input, result.data);
        break;
      case "disabled":
        verdict = "disabled";
        request = previewRequest(hook, input, result.data);
        break;
    }

    print(`hook:     ${hook} (${result.form ?? "not found"})  stage: ${stage}`);
    print(`input:    ${json({ ...input, call_full: "<call_full>" })}`);
    if ("raw" in result && result.raw !== undefined) print(`output:   ${json(result.raw)}`);
    if ("stderr" in result && result.stderr) print(`stderr:   ${result.stderr}`);
    print(`verdict:  ${verdict}`);
    print(`duration: ${result.durationMs.toFixed(1)} ms`);
    for (const c of b24Calls) print(`b24 call: ${c.method} ${JSON.stringify(c.params)}${target ? "" : " (dry run, not sent)"}`);
    if (request) print(`request:  ${request.target} ${request.method} ${json(request.params)}`);
    else {
      const p = previewRequest(hook, input, defaultOutput(hook, input));
      print(`request:  NOT SENT (cancelled by customization): ${p.target} ${p.method}`);
    }
    return { hook, stage, input, result, verdict, request, b24Calls } as TryHookReport;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
