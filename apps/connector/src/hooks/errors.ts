import type { HookName } from "./names.js";

/**
 * Why a hook's answer was not used. Callers (and the journal) branch on the class, never on
 * the message. Every one of these means: the runner used the default and the call went on.
 */
export abstract class HookError extends Error {
  /** Short stable id for counters and /status. */
  abstract readonly kind: "timeout" | "crash" | "bad_output" | "not_found";
  constructor(
    readonly hook: HookName,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${hook}: ${message}`, options);
    this.name = new.target.name;
  }
}

/** The hook did not answer within its timeout; an executable hook's process group was killed. */
export class HookTimeoutError extends HookError {
  readonly kind = "timeout" as const;
  constructor(
    hook: HookName,
    readonly timeoutMs: number,
    /** The killed process (executable hooks). */
    readonly pid?: number,
  ) {
    super(hook, `no answer within ${timeoutMs} ms${pid ? ` (process ${pid} killed)` : ""}`);
  }
}

/** The hook threw, or its process exited non-zero / was killed by a signal. */
export class HookCrashError extends HookError {
  readonly kind = "crash" as const;
  constructor(
    hook: HookName,
    message: string,
    readonly details: { exitCode?: number | null; signal?: string | null; stderr?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(hook, message, options);
  }
}

/** The answer was not JSON, not `{"data":…, "state":"success"}`, or data broke the hook's contract. */
export class HookBadOutputError extends HookError {
  readonly kind = "bad_output" as const;
  constructor(
    hook: HookName,
    /** One line per problem, e.g. `data.USER_ID: expected a positive integer, got "abc"`. */
    readonly issues: string[],
    /** The first characters of what the hook printed/returned, for the journal. */
    readonly rawExcerpt?: string,
  ) {
    super(hook, `bad output: ${issues.join("; ")}`);
  }
}

/** The hook is enabled but there is no file for it (or the module has no callable export). */
export class HookNotFoundError extends HookError {
  readonly kind = "not_found" as const;
  constructor(hook: HookName, message: string) {
    super(hook, message);
  }
}

export type HookErrorKind = HookError["kind"];
export const HOOK_ERROR_KINDS: readonly HookErrorKind[] = ["timeout", "crash", "bad_output", "not_found"];
