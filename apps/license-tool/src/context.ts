import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./errors.js";

export interface CliContext {
  cwd: string;
  out(line: string): void;
  err(line: string): void;
  now(): number;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Strict option parsing; any mistake becomes a UsageError naming the command. */
export function parseOptions<T extends Options>(command: string, argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ""), command);
  }
}

export function required(command: string, value: string | undefined, option: string): string {
  if (value === undefined || value.trim() === "") throw new UsageError(`missing --${option}`, command);
  return value;
}

export function wholeNumber(command: string, value: string | undefined, option: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`missing --${option}`, command);
    return fallback;
  }
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`--${option} must be a whole number, got "${value}"`, command);
  return Number.parseInt(value, 10);
}

export function version(command: string, value: string | undefined, option: string): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+\.\d+\.\d+$/.test(value)) throw new UsageError(`--${option} must be a version x.y.z, got "${value}"`, command);
  return value;
}

/** YYYY-MM-DD → ms at the start (00:00:00Z) or end (23:59:59Z) of that UTC day. */
export function date(command: string, value: string, option: string, end: boolean): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), end ? 23 : 0, end ? 59 : 0, end ? 59 : 0) : Number.NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value.trim()) {
    throw new UsageError(`--${option} must be a date YYYY-MM-DD${option === "expires" ? ' or "never"' : ""}, got "${value}"`, command);
  }
  return ms;
}

export function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export function pathIn(ctx: CliContext, path: string): string {
  return isAbsolute(path) ? path : resolve(ctx.cwd, path);
}

/** This tool's version (= the product version it ships with). */
export function toolVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}
