import { readFileSync } from "node:fs";
import type { z } from "zod";

/** A configuration that cannot be used; `issues` name each wrong key by its path. */
export class ConfigError extends Error {
  override readonly name: string = "ConfigError";
  constructor(
    readonly source: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(`invalid configuration in ${source}:\n` + issues.map((i) => `  - ${i.path || "(root)"}: ${i.message}`).join("\n"));
  }
}

/** Environment variables that override keys (secrets need not live in the file): [name, path]. */
export type EnvOverrides = ReadonlyArray<readonly [env: string, path: readonly string[]]>;

function applyEnv(raw: unknown, env: NodeJS.ProcessEnv, overrides: EnvOverrides): unknown {
  if (typeof raw !== "object" || raw === null) return raw;
  const copy = structuredClone(raw) as Record<string, unknown>;
  for (const [name, path] of overrides) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    let node = copy;
    for (const key of path.slice(0, -1)) {
      if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = value;
  }
  return copy;
}

export interface ValidateOptions {
  source?: string;
  env?: NodeJS.ProcessEnv;
  overrides?: EnvOverrides;
  /** Builds the error (an app may want its own ConfigError subclass). */
  error?: (source: string, issues: { path: string; message: string }[]) => Error;
}

/** Validates a parsed configuration; the error names the path of every wrong key. */
export function validateConfig<S extends z.ZodType>(schema: S, raw: unknown, options: ValidateOptions = {}): z.output<S> {
  const source = options.source ?? "configuration";
  const result = schema.safeParse(applyEnv(raw, options.env ?? process.env, options.overrides ?? []));
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.code === "unrecognized_keys" ? `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}` : issue.message,
  }));
  throw options.error ? options.error(source, issues) : new ConfigError(source, issues);
}

/** Reads a JSON file for `validateConfig`; unreadable or non-JSON files are ConfigErrors too. */
export function readJsonConfig(path: string, error: ValidateOptions["error"] = (s, i) => new ConfigError(s, i)): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw error(path, [{ path: "", message: `cannot read file: ${(err as Error).message}` }]);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw error(path, [{ path: "", message: `not valid JSON: ${(err as Error).message}` }]);
  }
}
