import { randomBytes } from "node:crypto";
import type { HookName } from "./names.js";

/**
 * Per-run tokens for the local hook API: an executable hook gets one in ASTERISK_B24_API_TOKEN,
 * valid while it runs (revoked when it exits, expired after its timeout plus a grace period).
 */
export class HookApiTokens {
  private readonly tokens = new Map<string, { hook: HookName; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(hook: HookName, ttlMs: number): string {
    this.sweep();
    const token = randomBytes(24).toString("base64url");
    this.tokens.set(token, { hook, expiresAt: this.now() + ttlMs });
    return token;
  }

  /** The hook the token was issued to, or undefined when unknown/expired. */
  resolve(token: string | undefined): HookName | undefined {
    if (!token) return undefined;
    const entry = this.tokens.get(token);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.tokens.delete(token);
      return undefined;
    }
    return entry.hook;
  }

  revoke(token: string): void {
    this.tokens.delete(token);
  }

  get size(): number {
    return this.tokens.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [token, entry] of this.tokens) if (entry.expiresAt <= now) this.tokens.delete(token);
  }
}
