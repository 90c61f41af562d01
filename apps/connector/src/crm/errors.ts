/**
 * Failure kinds of the Bitrix24 client. Callers branch on the class, never on message text.
 *
 *   B24Error                      base: code + Bitrix24's own description + HTTP status
 *   ├─ B24BusinessError           4xx / `error:""` with a text — final, never retried
 *   ├─ B24AuthError               credentials rejected (401/403 auth codes) — final unless renewable
 *   │  └─ B24TokenExpiredError    401 expired_token / invalid_token — one renewal, then one retry
 *   ├─ B24RateLimitError          503 QUERY_LIMIT_EXCEEDED — retried after the shared bucket drains
 *   │  └─ B24OperatingLimitError  429 OPERATION_TIME_LIMIT — method paused until its window resets
 *   ├─ B24ServerError             5xx or an unreadable body — retried with backoff
 *   ├─ B24TransportError          network failure — retried with backoff
 *   │  └─ B24TimeoutError         no answer within the per-request timeout — retried
 *   └─ B24ClientClosedError       the client was closed while the command waited
 *
 * `maybeExecuted` says whether Bitrix24 may have run the request although we saw a failure. A
 * Bitrix24 error body is a definite answer (the portal says what happened; its own 503
 * QUERY_LIMIT_EXCEEDED means "not run"). Maybe executed: a timeout, a connection reset after the
 * body was sent, any 5xx WITHOUT a Bitrix24 error body (a proxy or balancer in front of the portal
 * answers for it, possibly after the portal ran the request), a Bitrix24 500, and the b24-app
 * gateway's 504 PORTAL_NO_ANSWER (it got no answer from the portal). The queue then decides from the
 * portal's state before re-sending (portal-state.ts, decision 0006).
 */
export interface B24ErrorInit {
  code: string;
  description: string;
  status?: number;
  method?: string;
  maybeExecuted?: boolean;
  cause?: unknown;
}

export class B24Error extends Error {
  readonly code: string;
  readonly description: string;
  readonly status: number;
  readonly method: string | undefined;
  readonly maybeExecuted: boolean;
  /** Class name kept explicitly so it survives minification and JSON round trips. */
  readonly kind: string = "B24Error";

  constructor(init: B24ErrorInit) {
    super(init.description ? `${init.code || "B24"}: ${init.description}` : init.code || "Bitrix24 error", init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.description = init.description;
    this.status = init.status ?? 0;
    this.method = init.method;
    this.maybeExecuted = init.maybeExecuted ?? false;
    this.name = new.target.name;
    this.kind = new.target.name;
  }

  /** Plain JSON for a BullMQ return value; `errorFromJSON` restores the class. */
  toJSON(): SerializedB24Error {
    return { kind: this.kind, code: this.code, description: this.description, status: this.status, method: this.method, maybeExecuted: this.maybeExecuted };
  }
}

export interface SerializedB24Error {
  kind: string;
  code: string;
  description: string;
  status: number;
  method?: string | undefined;
  maybeExecuted?: boolean;
}

export class B24BusinessError extends B24Error {}
export class B24AuthError extends B24Error {}
export class B24TokenExpiredError extends B24AuthError {}
export class B24RateLimitError extends B24Error {}
export class B24OperatingLimitError extends B24RateLimitError {}
export class B24ServerError extends B24Error {}
export class B24TransportError extends B24Error {}
export class B24TimeoutError extends B24TransportError {}
export class B24ClientClosedError extends B24Error {
  constructor(description = "B24Client is closed") {
    super({ code: "CLIENT_CLOSED", description });
  }
}

const classes: Record<string, new (init: B24ErrorInit) => B24Error> = {
  B24Error,
  B24BusinessError,
  B24AuthError,
  B24TokenExpiredError,
  B24RateLimitError,
  B24OperatingLimitError,
  B24ServerError,
  B24TransportError,
  B24TimeoutError,
};

export function errorFromJSON(e: SerializedB24Error): B24Error {
  const Cls = classes[e.kind] ?? B24Error;
  return new Cls({ code: e.code, description: e.description, status: e.status, method: e.method, maybeExecuted: e.maybeExecuted ?? false });
}

const TOKEN_EXPIRED = new Set(["expired_token", "invalid_token"]);
const AUTH_CODES = new Set([
  "NO_AUTH_FOUND",
  "INVALID_CREDENTIALS",
  "INVALID_REQUEST",
  "insufficient_scope",
  "invalid_scope",
  "user_access_error",
  "ACCESS_DENIED",
  "PORTAL_DELETED",
  "PAYMENT_REQUIRED",
  "invalid_grant",
  "invalid_client",
  "METHOD_CONFIRM_WAITING",
  "METHOD_CONFIRM_DENIED",
]);
const SERVER_CODES = new Set(["INTERNAL_SERVER_ERROR", "ERROR_UNEXPECTED_ANSWER", "ERROR_BATCH_LENGTH_EXCEEDED"]);
/** The b24-app gateway sent the request to the portal and got no answer (timeout, reset). */
const NO_ANSWER_CODES = new Set(["PORTAL_NO_ANSWER"]);

/**
 * Maps a Bitrix24 error body (`{error, error_description}`), with the HTTP status when there is one
 * (0 for a command inside a batch), to its class. The order matters: limit codes win over status.
 */
export function classifyB24Error(code: string, description: string, status: number, method?: string): B24Error {
  const init: B24ErrorInit = { code, description, status, method };
  if (code === "QUERY_LIMIT_EXCEEDED" || code === "OVERLOAD_LIMIT") return new B24RateLimitError(init);
  if (code === "OPERATION_TIME_LIMIT" || status === 429) return new B24OperatingLimitError(init);
  if (TOKEN_EXPIRED.has(code)) return new B24TokenExpiredError(init);
  if (NO_ANSWER_CODES.has(code)) return new B24ServerError({ ...init, maybeExecuted: true });
  if (AUTH_CODES.has(code) || (status === 401 && code !== "")) return new B24AuthError(init);
  // ERROR_CORE "SQL query error!" is a server fault; ERROR_CORE with a business text (docs label) is not.
  if (SERVER_CODES.has(code) || status >= 500 || (code === "ERROR_CORE" && /SQL query error/i.test(description)))
    return new B24ServerError({ ...init, maybeExecuted: status !== 503 });
  return new B24BusinessError(init);
}

/** Retry classes (retry-policy.ts decides the delay). */
export function isRetryable(err: unknown): boolean {
  return err instanceof B24RateLimitError || err instanceof B24ServerError || err instanceof B24TransportError;
}
