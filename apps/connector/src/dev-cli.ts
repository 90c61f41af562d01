#!/usr/bin/env node
/**
 * The development entry point: the product's commands (cli.ts) plus those that need the test kit
 * (the Bitrix24 emulator, the AMI replay server and the recorded Asterisk sessions). Never bundled
 * into a release.
 *
 *   pnpm demo                                       the demo on embedded defaults
 *   tsx apps/connector/src/dev-cli.ts demo [--speed N|asap] [--once]
 *   tsx apps/connector/src/dev-cli.ts replay <recording|file.jsonl> [--speed N|asap] [--json]
 */
import { existsSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { loadRecording, recordingNames } from "@asterisk-b24/testkit";
import { main as productMain, parseArgs, runCli, UsageError } from "./cli.js";

function speedOf(flag: string | true | undefined, fallback: number | "asap"): number | "asap" {
  if (flag === undefined || flag === true) return fallback;
  if (flag === "asap") return "asap";
  const n = Number(flag);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--speed must be a positive number or "asap", got "${flag}"`);
  return n;
}

/** A recording by name (from the built-in set) or by path to NAME.jsonl. */
function recordingArg(arg: string) {
  if (arg.endsWith(".jsonl") || arg.includes("/")) {
    const path = resolve(arg.endsWith(".jsonl") ? arg : `${arg}.jsonl`);
    if (!existsSync(path)) throw new UsageError(`no recording at ${path}`);
    return loadRecording(basename(path, ".jsonl"), dirname(path));
  }
  if (!recordingNames().includes(arg)) throw new UsageError(`unknown recording "${arg}"; built-in: ${recordingNames().join(", ")}`);
  return loadRecording(arg);
}

const DEV_HELP = `Development commands (source checkout only):
  demo [--speed N|asap] [--once]          demo on embedded defaults (replay server, Bitrix24 emulator, Redis)
  replay NAME|FILE.jsonl [--speed N|asap] [--json]
                                          replay one AMI recording through the tracker, print stages
Every other command is the product's (asterisk-b24 help).`;

export async function devMain(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  switch (args.command) {
    case "replay": {
      const target = args.positional[0];
      if (!target) throw new UsageError("replay needs a recording name or a path to NAME.jsonl");
      const { replayThroughTracker } = await import("./demo/replay-tracker.js");
      const res = await replayThroughTracker({ recordings: [recordingArg(target)], speed: speedOf(args.flags.speed, "asap"), fullJson: args.flags.json === true });
      process.stderr.write(`replayed ${target}: ${res.events.length} stage events, ${res.calls.length} call(s) ended\n`);
      return 0;
    }
    case "demo": {
      const { runDemo } = await import("./demo/demo.js");
      return runDemo({ speed: speedOf(args.flags.speed, 4), once: args.flags.once === true });
    }
    case "dev-help":
      process.stdout.write(DEV_HELP + "\n");
      return 0;
    default:
      return productMain(argv);
  }
}

if (process.argv[1] !== undefined && /(^|[\\/])dev-cli\.(ts|js|mjs)$/.test(process.argv[1])) runCli(devMain);
