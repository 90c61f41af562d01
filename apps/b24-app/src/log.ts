import { createAppLogger, type Logger } from "@asterisk-b24/common";

export { REDACT_PATHS, redactUrl, silentLogger, type Logger } from "@asterisk-b24/common";

/** The b24-app's logger: JSON lines, secrets redacted (paths in @asterisk-b24/common). */
export function createLogger(settings: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return createAppLogger({
    name: "asterisk-b24-app",
    ...(settings.level ? { level: settings.level } : {}),
    ...(settings.destination ? { destination: settings.destination } : {}),
  });
}
