/**
 * Calls rebuilt from Asterisk's own records (CEL, and CDR when available): the second source of
 * truth for reprocessing (issue 10, docs/cel.md).
 *
 * One model, two inputs: each call's CEL rows are translated into the AMI-like events the live
 * tracker consumes (Newchannel, Newstate, DialBegin/DialEnd, BridgeEnter/Leave, VarSet
 * MIXMONITOR_FILENAME, BlindTransfer/AttendedTransfer, LocalOptimization…, Hangup with its cause)
 * and fed through the same pure tracker (`../tracker`). The output is exactly the tracker's stage
 * events and `call_full`, so every setting, hook and CRM rule applies unchanged.
 *
 *   const source = openCelSource(config.cel);            // MySQL/MariaDB, PostgreSQL or CSV
 *   for await (const call of rebuildCalls(source, from, to, config.tracker)) {
 *     call.stages;     // StageEvent[]: conversation_requested/accepted/ended…, call_ended last
 *     call.callFull;   // the call_ended snapshot (== call.stages.at(-1).call)
 *   }
 *   await source.close();
 *
 * A source yields the calls that START in [from, to) — complete, even when their rows straddle
 * the period boundary — streaming (a week of calls is never loaded at once).
 */
export type { CdrRow, CelCallRows, CelRow } from "./rows.js";
export type { CelSource, RebuiltCall, RebuildConfig } from "./types.js";

export { celConfigSchema, type CelConfig, type CelConfigInput } from "./config.js";
export { rebuildCall, CelRebuildError } from "./rebuild.js";
export { rebuildCalls, type RebuildCallsOptions } from "./rebuild-calls.js";
export { translateCall, type TimedEvent, type Translation } from "./translate.js";
export { openCelSource } from "./open.js";
export { CelSourceError } from "./sql-driver.js";
export { CelTimeError } from "./time.js";
export { CelCsvError } from "./csv-rows.js";
