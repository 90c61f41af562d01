/**
 * The b24-app service: `node … main.ts --config /etc/asterisk-b24/b24-app.json`.
 * Stops gracefully on SIGTERM / SIGINT.
 */
import { B24App } from "./app.js";
import { B24AppConfigError, loadB24AppConfig } from "./config.js";
import { createLogger } from "./log.js";

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}

async function main(): Promise<void> {
  const file = argValue("--config") ?? process.env.B24_APP_CONFIG;
  if (!file) {
    process.stderr.write("usage: b24-app --config FILE\n");
    process.exit(2);
  }
  let config;
  try {
    config = loadB24AppConfig(file);
  } catch (err) {
    if (err instanceof B24AppConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ level: config.log.level });
  const app = new B24App({ config, logger });
  await app.start();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    app.stop().then(
      () => process.exit(0),
      (err: Error) => {
        logger.error({ err: err.message }, "stop failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((err: Error) => {
  process.stderr.write(`b24-app: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
