import { loadConfigFile } from "../config/index.js";
import { LicenseStartError } from "../license/connector-license.js";
import { createLogger } from "../log/logger.js";
import { CONNECTOR_VERSION } from "../version.js";
import { Connector } from "./connector.js";

/** Exit code for a refused licence (EX_CONFIG): systemd does not restart on it in a loop. */
export const EXIT_LICENSE = 78;

/**
 * `asterisk-b24 run --config FILE`: the service. Validates the configuration (an error names
 * the wrong key), checks the licence, starts every part and stops gracefully on SIGTERM/SIGINT
 * (stages in progress finish; what is left stays in Redis for the next start).
 */
export async function runService(configPath: string): Promise<number> {
  const config = loadConfigFile(configPath);
  const logger = createLogger({ level: config.log.level });
  logger.info({ version: CONNECTOR_VERSION, config: configPath }, "asterisk-b24 connector starting");
  let connector: Connector;
  try {
    connector = new Connector({ config, logger });
  } catch (err) {
    if (err instanceof LicenseStartError) {
      logger.fatal({ err: err.message }, "licence refused");
      process.stderr.write(`asterisk-b24: ${err.message}\n`);
      return EXIT_LICENSE;
    }
    throw err;
  }
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, "stopping");
      void connector.stop().finally(resolve);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  await connector.start().catch((err: Error) => {
    // A wrong AMI login is final (no retry loop); anything else keeps retrying inside the client.
    logger.fatal({ err: err.message }, "could not start");
    throw err;
  });
  logger.info({ http: connector.httpPort }, "asterisk-b24 connector running");
  await stopped;
  logger.info("stopped");
  return 0;
}
