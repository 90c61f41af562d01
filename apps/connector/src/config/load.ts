import { ConfigError, readJsonConfig, validateConfig, type EnvOverrides } from "@asterisk-b24/common";
import { connectorConfigSchema, type ConnectorConfig } from "./schema.js";

export { ConfigError };

/** Environment variables that override secrets, so they need not live in the file. */
const ENV_OVERRIDES: EnvOverrides = [
  ["ASTERISK_B24_AMI_SECRET", ["ami", "secret"]],
  ["ASTERISK_B24_WEBHOOK_URL", ["b24", "auth", "webhookUrl"]],
  ["ASTERISK_B24_CLIENT_SECRET", ["b24", "auth", "clientSecret"]],
  ["ASTERISK_B24_GATEWAY_TOKEN", ["b24", "auth", "token"]],
  ["ASTERISK_B24_REDIS_URL", ["redis", "url"]],
];

/** Validates an already-parsed configuration object; a ConfigError names each wrong key's path. */
export function parseConfig(raw: unknown, source = "configuration", env: NodeJS.ProcessEnv = process.env): ConnectorConfig {
  return validateConfig(connectorConfigSchema, raw, { source, env, overrides: ENV_OVERRIDES });
}

/** Reads and validates a JSON configuration file. */
export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): ConnectorConfig {
  return parseConfig(readJsonConfig(path), path, env);
}
