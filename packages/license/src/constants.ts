/** Product name written into every licence and request; a licence for another product is refused. */
export const PRODUCT = "asterisk-b24";

/**
 * Product salt for fingerprint hashes. Changing it invalidates every licence ever issued,
 * so it is versioned rather than edited.
 */
export const FINGERPRINT_SALT = "asterisk-b24/license/fingerprint/v1";

/** The only signature algorithm accepted (see docs/decisions/0007-licence-format.md). */
export const LICENSE_ALGORITHM = "ES256" as const;

/** Licence payload format version. */
export const LICENSE_FORMAT_VERSION = 1;

/** Request file format tag. */
export const REQUEST_FORMAT = "asterisk-b24-license-request/1";

/** Default grace period after expiry during which the connector keeps working with a loud warning. */
export const DEFAULT_GRACE_DAYS = 14;

/** The sentence every refusal ends with: how to get a new licence. */
export const REQUEST_HINT = 'To request a new licence, run "license-tool request --customer <your company>" on this machine and send the request file it writes to your vendor.';

export const DAY_MS = 86_400_000;
