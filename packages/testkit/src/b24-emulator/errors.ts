/**
 * Errors the emulated portal answers with. The HTTP body is always
 * `{"error":"<code>","error_description":"<text>"}` and carries no `time` object (fact sheet §1.1, §7).
 */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(`${status} ${code}: ${description}`);
    this.name = "RestError";
  }

  body(): Record<string, unknown> {
    return { error: this.code, error_description: this.description, ...this.extra };
  }
}

/** Business errors (`new RestException('<text>')` in the module source): HTTP 400 with `error:""` by default. */
export class BusinessError extends RestError {
  constructor(description: string, code = "") {
    super(400, code, description);
    this.name = "BusinessError";
  }
}

export const methodNotFound = (): RestError => new RestError(404, "ERROR_METHOD_NOT_FOUND", "Method not found!");
export const noAuthFound = (): RestError => new RestError(401, "NO_AUTH_FOUND", "Wrong authorization data");
export const invalidCredentials = (): RestError => new RestError(401, "INVALID_CREDENTIALS", "Invalid request credentials");
export const expiredToken = (): RestError => new RestError(401, "expired_token", "The access token provided has expired");
export const invalidToken = (): RestError => new RestError(401, "invalid_token", "The access token provided is invalid");
export const wrongAuthType = (): RestError => new RestError(403, "WRONG_AUTH_TYPE", "Current authorization type is denied for this method");
export const queryLimitExceeded = (): RestError => new RestError(503, "QUERY_LIMIT_EXCEEDED", "Too many requests");
export const operationTimeLimit = (): RestError => new RestError(429, "OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit.");
export const internalServerError = (): RestError => new RestError(500, "INTERNAL_SERVER_ERROR", "Internal server error");
