import { pino, type Logger } from "pino";

export type { Logger };

/** Secrets never reach a log line: portal tokens, webhook URLs, client secret, connector tokens, install key. */
export const REDACT_PATHS = [
  "token",
  "*.token",
  "access_token",
  "*.access_token",
  "refresh_token",
  "*.refresh_token",
  "accessToken",
  "*.accessToken",
  "refreshToken",
  "*.refreshToken",
  "application_token",
  "*.application_token",
  "applicationToken",
  "*.applicationToken",
  "auth",
  "*.auth",
  "webhookUrl",
  "*.webhookUrl",
  "*.*.webhookUrl",
  "clientSecret",
  "*.clientSecret",
  "*.*.clientSecret",
  "key",
  "*.key",
  "authorization",
  "headers.authorization",
  "*.headers.authorization",
];

export function createLogger(settings: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const options = {
    level: settings.level ?? process.env.LOG_LEVEL ?? "info",
    name: "asterisk-b24-app",
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    base: { pid: process.pid },
  };
  return settings.destination ? pino(options, settings.destination as never) : pino(options);
}

export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

/** https://portal/rest/1/<code>/ → https://portal/rest/1/***\/ */
export function redactUrl(url: string): string {
  return url.replace(/(\/rest\/\d+\/)[^/]+/, "$1***").replace(/([?&](auth|key|token)=)[^&]+/g, "$1***");
}
