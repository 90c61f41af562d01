/** Errors of the b24-app. Callers branch on the class, never on the message. */

/** No installation stored yet (the admin has not installed the app on the portal). */
export class NotInstalledError extends Error {
  override readonly name = "NotInstalledError";
  constructor(message = "the application is not installed on the portal yet") {
    super(message);
  }
}

/** The portal credential is unusable (refresh refused, webhook rejected): an admin must act. */
export class PortalAuthError extends Error {
  override readonly name = "PortalAuthError";
  constructor(
    readonly code: string,
    message: string,
    readonly status = 401,
  ) {
    super(message);
  }
}

/** The portal or its OAuth server could not be reached (retryable). */
export class PortalUnavailableError extends Error {
  override readonly name: string = "PortalUnavailableError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The request was sent but no answer came (timeout, connection reset after sending): the portal
 * may have executed it. The gateway answers 504 PORTAL_NO_ANSWER so the connector checks the
 * portal's state before re-sending (decision 0006), instead of taking it for "not executed".
 */
export class PortalNoAnswerError extends PortalUnavailableError {
  override readonly name = "PortalNoAnswerError";
}

/** The portal answered a REST call with an error (business or otherwise). */
export class PortalCallError extends Error {
  override readonly name = "PortalCallError";
  constructor(
    readonly method: string,
    readonly status: number,
    readonly code: string,
    readonly description: string,
  ) {
    super(`${method}: ${code || status} ${description}`);
  }
}

export type TokenRejection = "missing" | "malformed" | "signature" | "expired" | "unknown" | "revoked" | "wrong-audience";

/** A connector token that may not be used. */
export class ConnectorTokenError extends Error {
  override readonly name = "ConnectorTokenError";
  constructor(
    readonly reason: TokenRejection,
    message: string,
  ) {
    super(message);
  }
}

/** A valid connector token used for a method outside its scope. */
export class ScopeError extends Error {
  override readonly name = "ScopeError";
  constructor(
    readonly methods: string[],
    readonly connectorId: string,
  ) {
    super(`connector "${connectorId}" may not call ${methods.join(", ")}`);
  }
}

/** An install request that cannot be trusted or used. */
export class InstallError extends Error {
  override readonly name = "InstallError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
