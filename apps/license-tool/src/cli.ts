import { processContext, runCli } from "./run.js";

// Entry point: `tsx apps/license-tool/src/cli.ts <command>` or the `license-tool` bin.
process.exitCode = runCli(process.argv.slice(2), processContext());
