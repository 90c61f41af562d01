import { AmiLoginError } from "@asterisk-b24/ami";
import { loadConfigFile } from "../config/index.js";
import { LicenseStartError } from "../license/connector-license.js";
import { createLogger } from "../log/logger.js";
import { CONNECTOR_VERSION } from "../version.js";
import { Connector } from "./connector.js";
import { within } from "./background-retry.js";

/**
 * Exit code for a configuration only the operator can fix (EX_CONFIG, sysexits.h): a refused
 * licence, or an AMI login Asterisk refuses. The systemd unit has RestartPreventExitStatus=78,
 * so it is not restarted in a loop; `systemctl status` shows the last log line naming the key.
 */
export const EXIT_CONFIG = 78;
/** @deprecated same code as EXIT_CONFIG. */
export const EXIT_LICENSE = EXIT_CONFIG;

/** Past this, a stop that still waits on something is cut short (systemd's TimeoutStopSec is 30 s). */
const STOP_DEADLINE_MS = 15_000;

/**
 * `asterisk-b24 run --config FILE`: the service. Validates the configuration (an error names
 * the wrong key), checks the licence, starts every part and stops gracefully on SIGTERM/SIGINT
 * (stages in progress get `stop.graceMs`; what is left stays in Redis for the next start).
 *
 * Faults at start never stop the service, except those only the operator can fix:
 *   Bitrix24 down / refusing the credential → runs, tracks and queues calls, /status Error, retries
 *   Redis down → HTTP answers /status (Error, naming redis.url), waits for Redis
 *   AMI unreachable → retried with back-off (ami.reconnect)
 *   AMI login refused (ami.username / ami.secret) → exit 78
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
      return EXIT_CONFIG;
    }
    throw err;
  }
  let exitCode = 0;
  let stopping: Promise<void> | undefined;
  let stopped!: () => void;
  const done = new Promise<void>((resolve) => (stopped = resolve));
  const stop = (reason: string, code: number): void => {
    if (stopping) return;
    exitCode = code;
    logger.info({ reason }, "stopping");
    stopping = within(connector.stop(), STOP_DEADLINE_MS).then(() => stopped());
  };
  process.once("SIGTERM", () => stop("SIGTERM", 0));
  process.once("SIGINT", () => stop("SIGINT", 0));
  const amiRefused = (err: unknown) => {
    if (!(err instanceof AmiLoginError)) return false;
    if (stopping) return true;
    const text = `Asterisk refused the AMI login of ami.username "${config.ami.username}" (${err.serverMessage ?? "Authentication failed"}): fix ami.username / ami.secret (or ASTERISK_B24_AMI_SECRET) to match manager.conf, and check its permit/deny; calls are not tracked until then`;
    logger.fatal({ username: config.ami.username, host: `${config.ami.host}:${config.ami.port}` }, text);
    process.stderr.write(`asterisk-b24: ${text}\n`);
    stop("AMI login refused", EXIT_CONFIG);
    return true;
  };
  // A login refused later (the secret changed on the PBX during a reconnect) ends the same way.
  connector.ami.on("error", (err: Error) => void amiRefused(err));
  try {
    await connector.start();
    logger.info({ http: connector.httpPort }, "asterisk-b24 connector running");
  } catch (err) {
    if (!stopping && !amiRefused(err)) {
      logger.fatal({ err: (err as Error).message }, "could not start");
      stop("start failed", 1);
    }
  }
  await done;
  logger.info({ exitCode }, "stopped");
  return exitCode;
}
