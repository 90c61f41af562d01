/**
 * Typed errors of the AMI layer. Callers branch on the class (`instanceof`), never on message text.
 */

/** Base class of every error thrown or emitted by @asterisk-b24/ami. */
export class AmiError extends Error {
  override name = "AmiError";
}

export type AmiParseErrorReason =
  /** A line inside a message block is not `Key: Value`. */
  | "malformed-line"
  /** A block grew beyond `maxMessageBytes` without ending (garbage or a runaway Command output). */
  | "message-too-large"
  /** The stream ended in the middle of a message. */
  | "truncated"
  /** Data after `--END COMMAND--` other than the closing blank line. */
  | "malformed-command-output";

/**
 * A block of the AMI stream could not be parsed. It is reported (emitted / logged) and skipped;
 * the parser carries on with the next block, so a bad block never kills the stream.
 */
export class AmiParseError extends AmiError {
  override name = "AmiParseError";
  constructor(
    readonly reason: AmiParseErrorReason,
    /** The offending block as text (truncated to 2 KiB), for diagnostics. */
    readonly raw: string,
    /** The headers that could be read before/around the problem. */
    readonly fields: readonly (readonly [string, string])[] = [],
  ) {
    super(`AMI parse error (${reason}): ${JSON.stringify(raw.length > 200 ? raw.slice(0, 200) + "…" : raw)}`);
  }
}

export type AmiActionValueErrorReason = "missing-action" | "invalid-key" | "control-char-in-key" | "control-char-in-value" | "reserved-key";

/**
 * An action was refused before anything was written to the socket: a header key or value
 * contains CR, LF or NUL (header injection: a phone number from the CRM must never become an
 * AMI command), a key is not a valid header name, `Action` is missing, or `ActionID` was set by
 * the caller (the client owns ActionIDs). The offending value is deliberately not in the message.
 */
export class AmiActionValueError extends AmiError {
  override name = "AmiActionValueError";
  constructor(
    readonly reason: AmiActionValueErrorReason,
    /** The header key concerned (JSON-escaped in the message). */
    readonly key: string,
  ) {
    super(`AMI action refused (${reason}) for header ${JSON.stringify(key.slice(0, 64))}`);
  }
}

/** No (complete) reply arrived for an action within its timeout. */
export class AmiActionTimeoutError extends AmiError {
  override name = "AmiActionTimeoutError";
  constructor(
    readonly action: string,
    readonly actionId: string,
    readonly timeoutMs: number,
  ) {
    super(`AMI action ${action} (${actionId}) timed out after ${timeoutMs} ms`);
  }
}

/** Why a connection ended (or why an action could not be sent). */
export type AmiDisconnectReason =
  /** The peer closed the connection (FIN) or it was reset. */
  | "socket-closed"
  /** A socket error (ECONNREFUSED, ECONNRESET, ...); see `cause`. */
  | "socket-error"
  /** TCP connect, greeting or Login took longer than `connectTimeoutMs`. */
  | "connect-timeout"
  /** The keepalive Ping got no Pong in time: the connection is considered half-open. */
  | "keepalive-timeout"
  /** The Login was refused: the client stopped (see AmiLoginError). */
  | "login-failed"
  /** `close()` was called. */
  | "closed"
  /** An action was attempted while no session was logged in. */
  | "not-connected";

/** The connection ended (or was not there) while the action was pending. */
export class AmiDisconnectedError extends AmiError {
  override name = "AmiDisconnectedError";
  constructor(
    readonly reason: AmiDisconnectReason,
    options?: { cause?: unknown; action?: string; actionId?: string },
  ) {
    super(
      options?.action ? `AMI action ${options.action}${options.actionId ? ` (${options.actionId})` : ""} failed: connection ${reason}` : `AMI connection ${reason}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.action = options?.action;
    this.actionId = options?.actionId;
  }
  readonly action: string | undefined;
  readonly actionId: string | undefined;
}

/**
 * Asterisk refused the Login (wrong username/secret, ACL, ...). The client stops: retrying a
 * wrong secret in a loop only fills the PBX security log and can get the connector's IP banned.
 */
export class AmiLoginError extends AmiError {
  override name = "AmiLoginError";
  constructor(
    readonly username: string,
    /** Asterisk's `Message:` (e.g. "Authentication failed"). */
    readonly serverMessage: string | undefined,
  ) {
    super(`AMI login as ${JSON.stringify(username)} refused: ${serverMessage ?? "no message"}`);
  }
}
