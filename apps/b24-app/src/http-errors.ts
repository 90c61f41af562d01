import { httpErrorHandler } from "@asterisk-b24/common";
import type { Logger } from "pino";

/**
 * The b24-app's error middleware: the shared one (bad JSON / form → 400, body over the limit →
 * 413, never a 500 for bad input) answering in Bitrix24's error shape `{error, error_description}`,
 * which the connector's client reads like the portal's own errors.
 */
export function b24ErrorHandler(log: Logger) {
  return httpErrorHandler({
    logger: log,
    format: (e) => ({ error: e.status === 413 ? "REQUEST_TOO_LARGE" : e.status < 500 ? "INVALID_REQUEST" : "INTERNAL_SERVER_ERROR", error_description: e.message }),
  });
}
