import { readJsonConfig } from "@asterisk-b24/common";
import { ConfigError, loadConfigFile } from "../config/index.js";
import { silentLogger } from "../log/logger.js";
import { createDbRecordingLookup } from "../recordings/index.js";
import { Connector } from "../runtime/connector.js";
import { testConnections } from "./connections.js";
import { checkConfig } from "./settings.js";

/** Exit codes of check-config / test-connections. */
export const EXIT_OK = 0;
/** The configuration is invalid, or a connection failed. */
export const EXIT_FAILED = 1;

type Out = (line: string) => void;
const stdout: Out = (line) => void process.stdout.write(line + "\n");

/**
 * `asterisk-b24-connector check-config --config FILE`: validates the file with the connector's
 * schema (environment overrides included) and prints every wrong key with its path.
 */
export function checkConfigCommand(path: string, out: Out = stdout, env: NodeJS.ProcessEnv = process.env): number {
  let raw: unknown;
  try {
    raw = readJsonConfig(path);
  } catch (err) {
    const issues = err instanceof ConfigError ? err.issues : [{ path: "", message: (err as Error).message }];
    out(`✘ ${path}: ${issues.map((i) => i.message).join("; ")}`);
    return EXIT_FAILED;
  }
  const check = checkConfig(raw, env);
  if (check.ok) {
    out(`✔ ${path}: the configuration is valid`);
    for (const w of check.warnings) out(`  ⚠ ${w.path}: ${w.message}`);
    return EXIT_OK;
  }
  out(`✘ ${path}: ${check.issues.length} wrong setting${check.issues.length === 1 ? "" : "s"}`);
  for (const i of check.issues) out(`  - ${i.path || "(root)"}: ${i.message}`);
  return EXIT_FAILED;
}

/**
 * `asterisk-b24-connector test-connections --config FILE`: AMI login + Ping, Redis, Bitrix24
 * (server.time, profile, user.get through the connector's own client), the recordings database
 * and folder. Prints one line per connection; exit 0 only when every one works.
 */
export async function testConnectionsCommand(path: string, out: Out = stdout): Promise<number> {
  const config = loadConfigFile(path);
  let connector: Connector;
  try {
    // Built, never started: no AMI session, no HTTP, no call handling — only its Redis and Bitrix24 client.
    connector = new Connector({ config, logger: silentLogger(), http: false });
  } catch (err) {
    out(`✘ the connector cannot start with this configuration: ${(err as Error).message}`);
    return EXIT_FAILED;
  }
  const lookup = config.recordings.lookup ? await createDbRecordingLookup(config.recordings.lookup).catch(() => undefined) : undefined;
  try {
    const results = await testConnections(config, { redis: connector.redis, b24Call: (m, p) => connector.gateway.call(m, p ?? {}), recordingLookup: lookup });
    if (config.recordings.lookup && !lookup)
      results.push({
        id: "recordings-db",
        title: `Recordings database (${config.recordings.lookup.driver})`,
        ok: false,
        detail: "the lookup could not be created (driver or connection string)",
      });
    for (const r of results) out(`${r.ok ? "✔" : "✘"} ${r.title}: ${r.detail}`);
    const failed = results.filter((r) => !r.ok).length;
    out(failed === 0 ? "all connections work" : `${failed} connection${failed === 1 ? "" : "s"} failed`);
    return failed === 0 ? EXIT_OK : EXIT_FAILED;
  } finally {
    await lookup?.close().catch(() => undefined);
    await connector.stop().catch(() => undefined);
  }
}
