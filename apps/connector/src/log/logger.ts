import { pino, type Logger, type LoggerOptions } from "pino";

export type { Logger };

/**
 * Paths redacted from every log line. Secrets are removed by configuration here, never by
 * hand at call sites: AMI secret, Bitrix24 webhook codes and OAuth tokens, gateway tokens.
 */
export const REDACT_PATHS = [
  "secret",
  "*.secret",
  "*.*.secret",
  "password",
  "*.password",
  "token",
  "*.token",
  "access_token",
  "*.access_token",
  "refresh_token",
  "*.refresh_token",
  "auth",
  "*.auth",
  "application_token",
  "*.application_token",
  "webhookUrl",
  "*.webhookUrl",
  "*.*.webhookUrl",
  "clientSecret",
  "*.clientSecret",
  "*.*.clientSecret",
  "headers.authorization",
  "*.headers.authorization",
];

export interface LoggerSettings {
  level?: string;
  name?: string;
  /** Where lines go; default stdout. Tests pass a stream to capture lines. */
  destination?: NodeJS.WritableStream;
}

/** The connector's one logger: JSON lines on stdout, secrets redacted. */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? process.env.LOG_LEVEL ?? "info",
    name: settings.name ?? "asterisk-b24",
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    base: { pid: process.pid },
  };
  return settings.destination ? pino(options, settings.destination as never) : pino(options);
}

/** A logger that writes nothing (unit tests, pure code paths that accept an optional logger). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
