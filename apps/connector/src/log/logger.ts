import { createAppLogger, type Logger } from "@asterisk-b24/common";

export { REDACT_PATHS, silentLogger, type Logger } from "@asterisk-b24/common";

export interface LoggerSettings {
  level?: string;
  name?: string;
  /** Where lines go; default stdout. Tests pass a stream to capture lines. */
  destination?: NodeJS.WritableStream;
}

/** The connector's one logger: JSON lines on stdout, secrets redacted (see @asterisk-b24/common). */
export function createLogger(settings: LoggerSettings = {}): Logger {
  return createAppLogger({
    name: settings.name ?? "asterisk-b24",
    ...(settings.level ? { level: settings.level } : {}),
    ...(settings.destination ? { destination: settings.destination } : {}),
  });
}
