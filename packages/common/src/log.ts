import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";

export type { Logger };

/**
 * Paths redacted from every log line of every app. Secrets are removed by configuration here,
 * never by hand at call sites: AMI secret, Bitrix24 webhook URLs and OAuth tokens, client
 * secrets, connector tokens, install keys.
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
  "accessToken",
  "*.accessToken",
  "refresh_token",
  "*.refresh_token",
  "refreshToken",
  "*.refreshToken",
  "application_token",
  "*.application_token",
  "applicationToken",
  "*.applicationToken",
  "auth",
  "*.auth",
  "key",
  "*.key",
  "webhookUrl",
  "*.webhookUrl",
  "*.*.webhookUrl",
  "clientSecret",
  "*.clientSecret",
  "*.*.clientSecret",
  "authorization",
  "headers.authorization",
  "*.headers.authorization",
];

export interface LoggerSettings {
  name: string;
  level?: string;
  /** Where lines go; default stdout. Tests pass a stream to capture lines. */
  destination?: DestinationStream;
}

/** One logger per app: JSON lines, secrets redacted. */
export function createAppLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? process.env.LOG_LEVEL ?? "info",
    name: settings.name,
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    base: { pid: process.pid },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

/** A logger that writes nothing (unit tests, pure code paths that accept an optional logger). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

/** https://portal/rest/1/<code>/ → https://portal/rest/1/***\/ (and auth/key/token query values). */
export function redactUrl(url: string): string {
  return url.replace(/(\/rest\/\d+\/)[^/]+/, "$1***").replace(/([?&](auth|key|token)=)[^&]+/g, "$1***");
}
