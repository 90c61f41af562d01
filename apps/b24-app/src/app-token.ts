import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Constant-time check of `auth[application_token]` against every accepted value. Both sides are
 * hashed first, so neither the length nor a common prefix leaks through timing.
 */
export function applicationTokenMatches(received: unknown, accepted: readonly string[]): boolean {
  if (typeof received !== "string" || received === "") return false;
  const r = createHash("sha256").update(received).digest();
  let ok = false;
  for (const a of accepted) {
    if (a === "") continue;
    const h = createHash("sha256").update(a).digest();
    ok = timingSafeEqual(r, h) || ok; // no early exit
  }
  return ok;
}

/** Constant-time equality of two secrets (install key). */
export function secretEquals(a: unknown, b: string): boolean {
  if (typeof a !== "string") return false;
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}
