export { runCli, processContext } from "./run.js";
export { type CliContext } from "./context.js";
export { UsageError } from "./errors.js";
