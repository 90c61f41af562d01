/**
 * Who is looking at the app's page? The page runs in the portal's frame and gets the viewing user's
 * access token from b24jssdk (`auth.getAuthData()`); it sends it with every call to the admin API
 * (`Authorization: Bearer <access_token>`, `X-B24-Member-Id: <member_id>`). We never trust what the
 * browser says about the user; the token is checked on OUR portal:
 *
 *   1. member_id must be the installed portal's (a frame of another portal is refused at once);
 *   2. `user.current`, `user.admin` and `app.info` are called with that token on `portal.url`: an
 *      invalid or expired token fails here; `app.info` CODE must be our client_id (oauth mode), so a
 *      token of another application on the same portal is refused;
 *   3. the answer is kept for `cacheMs` per token (hashed), so a page does not cost three portal calls
 *      per click.
 */
import { createHash } from "node:crypto";
import { secretEquals } from "./app-token.js";
import { PortalCallError, PortalUnavailableError } from "./errors.js";
import { InstallTokenCredential } from "./install.js";
import { PortalClient } from "./portal-client.js";
import type { AppStore } from "./store.js";

export interface FrameUser {
  id: string;
  name: string;
  admin: boolean;
}

/** A frame request that may not go on: `status` is the HTTP answer (401, 403, 503). */
export class FrameAuthError extends Error {
  override readonly name = "FrameAuthError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface FrameAuthOptions {
  store: AppStore;
  portalUrl: string;
  /** Our local application's client_id (oauth mode): the token must belong to it. */
  clientId?: string;
  timeoutMs: number;
  cacheMs?: number;
  now?: () => number;
}

interface Cached {
  user: FrameUser;
  until: number;
}

export class FrameAuth {
  readonly #cache = new Map<string, Cached>();
  readonly #restUrl: string;
  readonly #now: () => number;

  constructor(private readonly o: FrameAuthOptions) {
    this.#restUrl = new URL("/rest/", o.portalUrl).toString();
    this.#now = o.now ?? Date.now;
  }

  async verify(token: string | undefined, memberId: string | undefined): Promise<FrameUser> {
    if (!token) throw new FrameAuthError(401, "NO_FRAME_AUTH", "open this page from the Bitrix24 portal (no frame token)");
    const install = await this.o.store.install();
    if (!install) throw new FrameAuthError(503, "NOT_INSTALLED", "the application is not installed on the portal yet");
    if (!install.memberId || !secretEquals(memberId ?? "", install.memberId)) throw new FrameAuthError(403, "WRONG_PORTAL", "this frame belongs to another portal");
    const key = createHash("sha256").update(token).digest("base64url");
    const now = this.#now();
    const hit = this.#cache.get(key);
    if (hit && hit.until > now) return hit.user;
    const client = new PortalClient(new InstallTokenCredential(this.#restUrl, token), this.o.timeoutMs);
    let user: FrameUser;
    try {
      const [me, admin, app] = await Promise.all([
        client.call<{ ID: string; NAME?: string; LAST_NAME?: string }>("user.current"),
        client.call<boolean>("user.admin"),
        this.o.clientId ? client.call<{ CODE?: string }>("app.info") : Promise.resolve(undefined),
      ]);
      if (this.o.clientId && app?.CODE !== this.o.clientId) throw new FrameAuthError(403, "WRONG_APPLICATION", "the frame token belongs to another application");
      user = { id: String(me.ID), name: `${me.NAME ?? ""} ${me.LAST_NAME ?? ""}`.trim() || `user ${me.ID}`, admin: admin === true };
    } catch (err) {
      if (err instanceof FrameAuthError) throw err;
      if (err instanceof PortalUnavailableError) throw new FrameAuthError(503, err.code, err.message);
      if (err instanceof PortalCallError) throw new FrameAuthError(401, "FRAME_TOKEN_REFUSED", `the portal refused the frame token: ${err.code || err.status}`);
      throw err;
    }
    if (this.#cache.size > 1000) this.#cache.clear();
    this.#cache.set(key, { user, until: now + (this.o.cacheMs ?? 30_000) });
    return user;
  }
}
