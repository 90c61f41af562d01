/** The OAuth server's answer to a refresh, before any app turns it into its own error types. */
export type TokenRefreshOutcome =
  | { kind: "ok"; accessToken: string; refreshToken: string; expires: number }
  /** The OAuth server could not be reached (network, timeout). */
  | { kind: "unreachable"; error: Error }
  /** It answered, but not with a new pair (`error` is the OAuth error code or HTTP_<status>). */
  | { kind: "refused"; status: number; error: string; description: string };

export interface TokenRefreshRequest {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  timeoutMs?: number;
}

/**
 * `GET <tokenUrl>?grant_type=refresh_token&…` (Bitrix24's OAuth server, or a box's own). The
 * pair rotates: the answer's refresh_token replaces the old one, which is then invalid.
 */
export async function requestTokenRefresh(req: TokenRefreshRequest): Promise<TokenRefreshOutcome> {
  const u = new URL(req.tokenUrl);
  u.searchParams.set("grant_type", "refresh_token");
  u.searchParams.set("client_id", req.clientId);
  u.searchParams.set("client_secret", req.clientSecret);
  u.searchParams.set("refresh_token", req.refreshToken);
  let res: Response;
  try {
    res = await fetch(u, { signal: AbortSignal.timeout(req.timeoutMs ?? 30_000) });
  } catch (e) {
    return { kind: "unreachable", error: e as Error };
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok || typeof body.error === "string" || typeof body.access_token !== "string") {
    return { kind: "refused", status: res.status, error: typeof body.error === "string" ? body.error : `HTTP_${res.status}`, description: String(body.error_description ?? "") };
  }
  return { kind: "ok", accessToken: body.access_token, refreshToken: String(body.refresh_token ?? req.refreshToken), expires: Number(body.expires ?? 0) };
}
