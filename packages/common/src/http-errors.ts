/**
 * One error-handling middleware for the HTTP apps (connector, b24-app): bad input gets a 4xx with
 * a clear JSON body, never a 500 with an internal message. Written against the shape of Express's
 * error middleware, so this package needs no Express dependency.
 *
 *   body-parser "entity.parse.failed"  → 400 bad_json        (malformed JSON / form body)
 *   body-parser "entity.too.large"     → 413 body_too_large  (limit in bytes in the message)
 *   other body-parser errors (charset, encoding, parameters.too.many) → 400 / 415 as they say
 *   HttpError(status, code, message)   → that status
 *   anything else                      → 500 internal_error (logged; the text is not echoed)
 */

/** An error a route throws on purpose: the client gets `status` and the message. */
export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface HttpErrorBody {
  status: number;
  code: string;
  message: string;
}

/** Turns an error body into the JSON the app's clients expect (default `{error, message}`). */
export type HttpErrorFormat = (e: HttpErrorBody) => unknown;

export const defaultErrorFormat: HttpErrorFormat = (e) => ({ error: e.code, message: e.message });

interface BodyParserError {
  type?: string;
  status?: number;
  statusCode?: number;
  limit?: number;
  expose?: boolean;
  message?: string;
}

/** What an error means for the client. */
export function describeHttpError(err: unknown): HttpErrorBody {
  if (err instanceof HttpError) return { status: err.status, code: err.code, message: err.message };
  const e = (err ?? {}) as BodyParserError;
  switch (e.type) {
    case "entity.parse.failed":
      return { status: 400, code: "bad_json", message: `request body could not be parsed: ${e.message ?? "malformed"}` };
    case "entity.too.large":
      return { status: 413, code: "body_too_large", message: `request body is larger than the limit of ${e.limit ?? "?"} bytes` };
    case "parameters.too.many":
      return { status: 413, code: "too_many_parameters", message: e.message ?? "too many parameters" };
    case "request.size.invalid":
    case "request.aborted":
      return { status: 400, code: "bad_body", message: e.message ?? "request body incomplete" };
    case "charset.unsupported":
    case "encoding.unsupported":
      return { status: 415, code: "unsupported_encoding", message: e.message ?? "unsupported encoding" };
  }
  const status = e.status ?? e.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) return { status, code: "bad_request", message: e.expose !== false && e.message ? e.message : "bad request" };
  return { status: 500, code: "internal_error", message: "internal error (see the service log)" };
}

interface Res {
  headersSent: boolean;
  status(code: number): Res;
  json(body: unknown): unknown;
}

interface Log {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Express error middleware (4 arguments): mount it last, on the app or on a router. */
export function httpErrorHandler(options: { logger?: Log; format?: HttpErrorFormat } = {}) {
  const format = options.format ?? defaultErrorFormat;
  return (err: unknown, req: { method?: string; originalUrl?: string }, res: Res, _next: (err?: unknown) => void): void => {
    const d = describeHttpError(err);
    if (d.status >= 500) options.logger?.error({ err, method: req.method, url: req.originalUrl }, "http: request failed");
    else options.logger?.warn({ status: d.status, code: d.code, method: req.method, url: req.originalUrl }, `http: ${d.message}`);
    if (res.headersSent) return;
    res.status(d.status).json(format(d));
  };
}
