import type { KeyObject } from "node:crypto";
import { PublicKeyMissingError } from "./errors.js";
import { parsePublicKey } from "./keys.js";

/**
 * The vendor's public key, embedded in release builds. The release step replaces the empty string
 * below with the contents of the vendor's `vendor.pub.pem` (see docs/licensing.md, "Embedding the
 * public key"). Development and test builds leave it empty.
 */
export const EMBEDDED_VENDOR_PUBLIC_KEY_PEM: string = "";

export interface ResolvedPublicKey {
  key: KeyObject;
  source: "embedded" | "override";
}

/**
 * Picks the key licences are verified with. `override` comes from configuration (tests, development).
 * A build WITH an embedded key ignores the override, so a customer cannot swap in a key of their own
 * and sign their own licences; code may still pass a key directly to `LicenseGuard`/`verifyLicense`.
 */
export function resolveVendorPublicKey(options: { override?: string | undefined; embedded?: string | undefined } = {}): ResolvedPublicKey {
  const embedded = (options.embedded ?? EMBEDDED_VENDOR_PUBLIC_KEY_PEM).trim();
  if (embedded) return { key: parsePublicKey(embedded, "the embedded vendor public key"), source: "embedded" };
  if (options.override && options.override.trim()) {
    return { key: parsePublicKey(options.override, "the configured vendor public key"), source: "override" };
  }
  throw new PublicKeyMissingError("no vendor public key: this build has none embedded and none is configured (license.publicKeyPath).");
}
