import { LicenseUserError } from "@asterisk-b24/license";
import { keygen } from "./commands/keygen.js";
import { issue } from "./commands/issue.js";
import { request } from "./commands/request.js";
import { verify } from "./commands/verify.js";
import type { CliContext } from "./context.js";
import { UsageError } from "./errors.js";
import { COMMAND_USAGE, MAIN_USAGE } from "./usage.js";

const COMMANDS: Record<string, (ctx: CliContext, argv: string[]) => number> = { keygen, request, issue, verify };

/** Runs one command; returns the exit code. User errors are printed as one line, never as a stack. */
export function runCli(argv: string[], ctx: CliContext): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    const topic = rest[0];
    if (topic && COMMAND_USAGE[topic]) ctx.out(COMMAND_USAGE[topic]);
    else ctx.out(MAIN_USAGE);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    ctx.err(`license-tool: unknown command "${command}"`);
    ctx.err(MAIN_USAGE);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    ctx.out(COMMAND_USAGE[command]!);
    return 0;
  }
  try {
    return run(ctx, rest);
  } catch (error) {
    if (error instanceof UsageError) {
      ctx.err(`license-tool ${command}: ${error.message}`);
      ctx.err(`Run "license-tool help ${command}" for usage.`);
      return 2;
    }
    if (error instanceof LicenseUserError) {
      ctx.err(`license-tool ${command}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

export function processContext(): CliContext {
  return {
    cwd: process.cwd(),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    now: () => Date.now(),
  };
}
