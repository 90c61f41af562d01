/**
 * Calls from the page: the b24-app's admin API (authorised by the frame token b24jssdk holds) and
 * the portal's REST through b24jssdk itself.
 */
import type { B24Frame } from "@bitrix24/b24jssdk";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The b24-app's base (the page is /b24/app or /b24/placement/call-card). */
function apiBase(): string {
  return new URL("/b24/admin/api/", location.href).toString();
}

export async function appApi<T>(b24: B24Frame, path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const current = b24.auth.getAuthData();
  const auth = current === false ? await b24.auth.refreshAuth() : current;
  const res = await fetch(new URL(path, apiBase()), {
    method: init.method ?? "GET",
    headers: {
      authorization: `Bearer ${auth.access_token}`,
      "x-b24-member-id": auth.member_id ?? "",
      ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw new ApiError(res.status, String(json.error ?? res.status), String(json.error_description ?? res.statusText));
  return json as T;
}

/** One portal REST method through b24jssdk (the viewer's rights). */
export async function portalCall<T>(b24: B24Frame, method: string, params: Record<string, unknown> = {}): Promise<T> {
  const r = await b24.actions.v2.call.make<T>({ method, params });
  if (!r.isSuccess) throw new ApiError(400, "PORTAL_ERROR", `${method}: ${r.getErrorMessages().join("; ")}`);
  return r.getData()!.result;
}

/** Every page of a list method (50 per page, `start`). */
export async function portalList<T>(b24: B24Frame, method: string, params: Record<string, unknown> = {}, max = 5000): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < max; start += 50) {
    const page = await portalCall<T[]>(b24, method, { ...params, start });
    out.push(...page);
    if (page.length < 50) break;
  }
  return out;
}
