#!/usr/bin/env node
/**
 * asterisk-b24 connector command line.
 *
 *   asterisk-b24 run --config /etc/asterisk-b24/connector.json   the service
 *   asterisk-b24 hook-try <hook> <call.json> [--config FILE]
 *   asterisk-b24 check-config --config FILE                      validate a configuration file
 *   asterisk-b24 test-connections --config FILE                  AMI, Redis, Bitrix24, recordings
 *   asterisk-b24 --version
 *
 * What a customer installs: no test kit in here. The demo and `replay` (which need the Bitrix24
 * emulator and the AMI replay server) are in dev-cli.ts, the development entry point.
 */
import { CONNECTOR_VERSION } from "./version.js";

export class UsageError extends Error {
  override readonly name = "UsageError";
}

interface Parsed {
  command: string;
  positional: string[];
  flags: Record<string, string | true>;
}

export function parseArgs(argv: string[]): Parsed {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  let command = "";
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      if (eq > 0) flags[a.slice(2, eq)] = a.slice(eq + 1);
      else if (i + 1 < argv.length && !argv[i + 1]!.startsWith("--") && !["json", "once", "version", "help", "full", "dry-run"].includes(a.slice(2)))
        flags[a.slice(2)] = argv[++i]!;
      else flags[a.slice(2)] = true;
    } else if (!command) command = a;
    else positional.push(a);
  }
  return { command, positional, flags };
}

const HELP = `asterisk-b24 ${CONNECTOR_VERSION} — Asterisk ↔ Bitrix24 connector

Usage:
  asterisk-b24 run --config FILE         run the connector service
  asterisk-b24 hook-try HOOK CALL.json|CALL_KEY [--config FILE] [--stage STAGE]
                                         run one customization hook on a stored call (dry run)
  asterisk-b24 check-config --config FILE
                                         validate a configuration file (each wrong key with its path); exit 1 if invalid
  asterisk-b24 test-connections --config FILE
                                         try AMI (login + Ping), Redis, Bitrix24, recordings DB and folder; exit 1 if any fails
  asterisk-b24 reprocess (--day YYYY-MM-DD | --from WHEN --to WHEN) [--only failed|missing|all]
                       [--dry-run] [--call KEY,KEY…] [--report-dir DIR] --config FILE
                                         find calls missing or wrong in Bitrix24 and land them (progress on stderr)
  asterisk-b24 --version

From a source checkout also: pnpm demo, and pnpm tsx apps/connector/src/dev-cli.ts replay NAME|FILE.jsonl`;

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.flags.version || args.command === "version") {
    process.stdout.write(`${CONNECTOR_VERSION}\n`);
    return 0;
  }
  switch (args.command) {
    case "":
    case "help":
      process.stdout.write(HELP + "\n");
      return args.command === "help" || args.flags.help ? 0 : 2;
    case "run": {
      const configPath = args.flags.config;
      if (typeof configPath !== "string") throw new UsageError("run needs --config FILE");
      const { runService } = await import("./runtime/service.js");
      const code = await runService(configPath);
      // Stopped: leave now, whatever a dead Redis or portal connection still holds open.
      if (invokedDirectly) setTimeout(() => process.exit(code), 100).unref();
      return code;
    }
    case "hook-try": {
      const [hook, target] = args.positional;
      if (!hook || !target) throw new UsageError("hook-try needs HOOK and CALL (a JSON file, or a call key with --config)");
      const { hookTryCommand } = await import("./hooks/cli.js");
      return hookTryCommand({
        hook,
        file: target,
        ...(typeof args.flags.config === "string" ? { config: args.flags.config } : {}),
        ...(typeof args.flags.stage === "string" ? { stage: args.flags.stage } : {}),
      });
    }
    case "check-config":
    case "test-connections": {
      const configPath = args.flags.config ?? args.positional[0];
      if (typeof configPath !== "string") throw new UsageError(`${args.command} needs --config FILE`);
      const { checkConfigCommand, testConnectionsCommand } = await import("./console/cli-commands.js");
      return args.command === "check-config" ? checkConfigCommand(configPath) : testConnectionsCommand(configPath);
    }
    case "reprocess": {
      const configPath = args.flags.config;
      if (typeof configPath !== "string") throw new UsageError("reprocess needs --config FILE");
      const str = (k: string) => (typeof args.flags[k] === "string" ? (args.flags[k] as string) : undefined);
      const { reprocessCommand } = await import("./reprocess/cli.js");
      return reprocessCommand({
        config: configPath,
        ...(str("from") ? { from: str("from") } : {}),
        ...(str("to") ? { to: str("to") } : {}),
        ...(str("day") ? { day: str("day") } : {}),
        ...(str("only") ? { only: str("only") } : {}),
        ...(str("report-dir") ? { reportDir: str("report-dir") } : {}),
        ...(str("call")
          ? {
              callKeys: str("call")!
                .split(",")
                .map((k) => k.trim())
                .filter(Boolean),
            }
          : {}),
        dryRun: args.flags["dry-run"] === true,
      });
    }
    default:
      throw new UsageError(`unknown command "${args.command}"\n\n${HELP}`);
  }
}

/** Exit code and message of a command's outcome (shared with dev-cli.ts). */
export function runCli(run: (argv: string[]) => Promise<number>): void {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      if (err instanceof UsageError || (err as Error).name === "UsageError" || (err as Error).name === "ConfigError") {
        process.stderr.write(`asterisk-b24: ${(err as Error).message}\n`);
        process.exitCode = 2;
      } else {
        process.stderr.write(`asterisk-b24: ${(err as Error).stack ?? String(err)}\n`);
        process.exitCode = 1;
      }
    },
  );
}

const invokedDirectly = process.argv[1] !== undefined && /(^|[\\/])cli\.(ts|js|mjs)$/.test(process.argv[1]);
if (invokedDirectly) runCli(main);
