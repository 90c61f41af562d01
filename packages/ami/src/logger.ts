/**
 * The logging interface the AMI layer needs: a subset of pino's, so a pino logger (or a child)
 * can be passed as is. Every call is `(object, message)`. Secrets are never passed to it.
 */
export interface AmiLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => {};

/** Logger that drops everything (the default). */
export const silentLogger: AmiLogger = { debug: noop, info: noop, warn: noop, error: noop };
