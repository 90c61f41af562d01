/**
 * Errors thrown by the licence library for problems a person must fix (a missing file, a wrong key,
 * a broken request file). Verification outcomes are NOT thrown: see `LicenseVerification`.
 */
export class LicenseUserError extends Error {
  override name = "LicenseUserError";
}

/** A key file is missing, unreadable or not the expected kind of key. */
export class KeyFileError extends LicenseUserError {
  override name = "KeyFileError";
}

/** A licence request file is missing or is not a valid request. */
export class RequestFileError extends LicenseUserError {
  override name = "RequestFileError";
}

/** A licence file could not be read (verification of its contents is a result, not an error). */
export class LicenseFileError extends LicenseUserError {
  override name = "LicenseFileError";
}

/** The vendor asked to issue a licence that cannot be issued (no usable factors, bad limits, bad dates). */
export class LicenseIssueError extends LicenseUserError {
  override name = "LicenseIssueError";
}

/** No vendor public key is available to verify licences. */
export class PublicKeyMissingError extends LicenseUserError {
  override name = "PublicKeyMissingError";
}
