import { httpErrorHandler } from "@asterisk-b24/common";
import type { Logger } from "pino";

/**
 * The b24-app's one error shape: `{error: "<CODE>", message: "<sentence>", error_description}` —
 * the products' `{error, message}` and, as a detail, Bitrix24's `error_description` (same text),
 * which the connector's client reads like the portal's own errors (the gateway stands in for the
 * portal's REST).
 */
export function b24ErrorBody(code: string, message: string, details: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...details, error: code, message, error_description: message };
}

/** Answers `status` with the error shape. */
export function sendB24Error(
  res: { status(code: number): { json(body: unknown): unknown } },
  status: number,
  code: string,
  message: string,
  details?: Record<string, unknown>,
): void {
  res.status(status).json(b24ErrorBody(code, message, details));
}

/**
 * The b24-app's error middleware: the shared one (bad JSON / form → 400, body over the limit →
 * 413, never a 500 for bad input) answering in Bitrix24's error shape `{error, error_description}`,
 * which the connector's client reads like the portal's own errors.
 */
export function b24ErrorHandler(log: Logger) {
  return httpErrorHandler({
    logger: log,
    format: (e) => b24ErrorBody(e.status === 413 ? "REQUEST_TOO_LARGE" : e.status < 500 ? "INVALID_REQUEST" : "INTERNAL_SERVER_ERROR", e.message),
  });
}
