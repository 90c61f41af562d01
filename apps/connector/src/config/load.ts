import { readFileSync } from "node:fs";
import { z } from "zod";
import { connectorConfigSchema, type ConnectorConfig } from "./schema.js";

/** A configuration that cannot be used; `issues` name each wrong key by its path. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly source: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(`invalid configuration in ${source}:\n` + issues.map((i) => `  - ${i.path || "(root)"}: ${i.message}`).join("\n"));
  }
}

/** Environment variables that override secrets, so they need not live in the file. */
const ENV_OVERRIDES: Array<[env: string, path: string[]]> = [
  ["ASTERISK_B24_AMI_SECRET", ["ami", "secret"]],
  ["ASTERISK_B24_WEBHOOK_URL", ["b24", "auth", "webhookUrl"]],
  ["ASTERISK_B24_CLIENT_SECRET", ["b24", "auth", "clientSecret"]],
  ["ASTERISK_B24_REDIS_URL", ["redis", "url"]],
];

function applyEnv(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof raw !== "object" || raw === null) return raw;
  const copy = structuredClone(raw) as Record<string, unknown>;
  for (const [name, path] of ENV_OVERRIDES) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    let node: Record<string, unknown> = copy;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (typeof next !== "object" || next === null) {
        node[key] = {};
      }
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = value;
  }
  return copy;
}

/** Validates an already-parsed configuration object. */
export function parseConfig(raw: unknown, source = "configuration", env: NodeJS.ProcessEnv = process.env): ConnectorConfig {
  const result = connectorConfigSchema.safeParse(applyEnv(raw, env));
  if (result.success) return result.data;
  throw new ConfigError(
    source,
    result.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: describeIssue(issue) })),
  );
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") return `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  return issue.message;
}

/** Reads and validates a JSON configuration file. */
export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): ConnectorConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(path, [{ path: "", message: `cannot read file: ${(err as Error).message}` }]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(path, [{ path: "", message: `not valid JSON: ${(err as Error).message}` }]);
  }
  return parseConfig(raw, path, env);
}
