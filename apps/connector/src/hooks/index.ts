export { HOOK_NAMES, CALL_STAGES, isHookName, isCallStage, type HookName, type CallStage } from "./names.js";
export type { CallFull, HookChannel, HookConversation, HookUser, HookNumberInfo } from "./call-full.js";
export type { Json, JsonObject } from "./json.js";
export {
  HOOK_SPECS,
  hookSpec,
  interpretOutput,
  defaultOutput,
  type HookSpec,
  type HookInputs,
  type HookOutputs,
  type HookInput,
  type HookOutput,
  type HookVerdict,
  type HookActivity,
  type FinalParams,
  type RegistrationParams,
  type OriginateParams,
  type TaskFields,
  type B24Fields,
} from "./contract.js";
export { HookError, HookTimeoutError, HookCrashError, HookBadOutputError, HookNotFoundError, HOOK_ERROR_KINDS, type HookErrorKind } from "./errors.js";
export { hooksConfigSchema, hookEntrySchema, parseHooksConfig, hookSettings, type HooksConfig, type HooksConfigInput, type HookSettings } from "./config.js";
export { findHook, type HookTarget } from "./discovery.js";
export type { HookContext, HookFunction } from "./module-runner.js";
export { PASSED_ENV } from "./exec-runner.js";
export type { HookB24 } from "./b24.js";
export { HookB24UnavailableError, unavailableB24 } from "./b24.js";
export { HookApiTokens } from "./api-tokens.js";
export { createHookApiRouter, type HookApiRouterOptions } from "./api-router.js";
export type { HookCounters, HookStatsSnapshot } from "./stats.js";
export {
  createHookRunner,
  PHP_ADAPTER,
  type HookRunner,
  type HookRunnerOptions,
  type HookResult,
  type HookErrorRecord,
  type HookErrorSink,
  type HookForm,
  type RunOptions,
} from "./runner.js";
export { buildHookInput } from "./sample-input.js";
export { previewRequest, type RequestPreview } from "./request-preview.js";
export { tryHook, loadCallFull, extractCallFull, HookTryUsageError, type TryHookOptions, type TryHookReport } from "./try-hook.js";
