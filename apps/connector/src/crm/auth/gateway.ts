/**
 * Gateway mode: the connector calls Bitrix24 through the b24-app's REST gateway with a long-lived
 * token the b24-app issued (`b24-app-cli token issue`). The portal credential (OAuth pair or
 * webhook) stays in the b24-app, which also renews it; so there is nothing to renew here — a
 * refused token (revoked, out of scope) is final (B24AuthError). Rate-limit answers come back
 * unchanged, so the client's limiter and retry policy work exactly as against the portal.
 */
import type { B24AuthMode, PreparedAuth } from "./types.js";

export class GatewayAuth implements B24AuthMode {
  readonly kind = "gateway";
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(gatewayUrl: string, token: string) {
    const u = new URL(gatewayUrl);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new TypeError(`gateway URL must be http(s): ${u.origin}`);
    if (!/^[A-Za-z0-9._-]+$/.test(token)) throw new TypeError("gateway token must be the JWT printed by `b24-app-cli token issue`");
    const path = u.pathname.endsWith("/") ? u.pathname : `${u.pathname}/`;
    this.base = `${u.origin}${path}rest/`;
    this.headers = { authorization: `Bearer ${token}` };
  }

  async prepare(method: string): Promise<PreparedAuth> {
    return { url: `${this.base}${method}`, headers: this.headers, credential: "gateway" };
  }
}

export function gatewayAuth(gatewayUrl: string, token: string): GatewayAuth {
  return new GatewayAuth(gatewayUrl, token);
}
