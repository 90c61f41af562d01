/**
 * The one error shape of the connector's HTTP APIs (admin API, console, reprocessing, figures,
 * recordings, hooks API, autodistribution, the b24-app's call facts):
 *   `{ "error": "<code>", "message": "<sentence>", …details }`
 * `error` is a stable snake_case code for programs, `message` a sentence for people, details
 * (e.g. `parameter`) name what was wrong.
 */
export interface ApiErrorBody {
  error: string;
  message: string;
  [detail: string]: unknown;
}

interface Res {
  status(code: number): { json(body: unknown): unknown };
}

export function apiError(code: string, message: string, details: Record<string, unknown> = {}): ApiErrorBody {
  return { ...details, error: code, message };
}

/** Answers `status` with the error shape. */
export function sendApiError(res: Res, status: number, code: string, message: string, details?: Record<string, unknown>): void {
  res.status(status).json(apiError(code, message, details));
}
