export { PRODUCT, FINGERPRINT_SALT, LICENSE_ALGORITHM, REQUEST_FORMAT, DEFAULT_GRACE_DAYS, REQUEST_HINT } from "./constants.js";
export { type Clock, systemClock, ManualClock } from "./clock.js";
export { LicenseUserError, KeyFileError, RequestFileError, LicenseFileError, LicenseIssueError, PublicKeyMissingError } from "./errors.js";
export {
  type FingerprintSources,
  type RawMachine,
  type SystemSourceOptions,
  DEFAULT_MACHINE_ID_PATHS,
  systemFingerprintSources,
  fixedFingerprintSources,
} from "./fingerprint-sources.js";
export {
  type FactorName,
  type MachineFingerprint,
  FACTOR_NAMES,
  hashFactor,
  normalizeFactor,
  computeFingerprint,
  presentFactors,
  parseFactorList,
  factorLabel,
} from "./fingerprint.js";
export { type MatchPolicy, type MatchReport, DEFAULT_MATCH_POLICY, policyForFactors, parsePolicy, describePolicy, matchMachine } from "./match-policy.js";
export { type LicenseLimits, EVALUATION_LIMITS, describeLimits } from "./limits.js";
export { type LicensePayload, compareVersions } from "./license-payload.js";
export { type VendorKeyPair, generateVendorKeyPair, keyIdOf, parsePrivateKey, parsePublicKey, loadPrivateKeyFile, loadPublicKeyFile } from "./keys.js";
export { EMBEDDED_VENDOR_PUBLIC_KEY_PEM, type ResolvedPublicKey, resolveVendorPublicKey } from "./vendor-public-key.js";
export { type IssueLicenseOptions, issueLicense, newLicenseId } from "./issue.js";
export { type LicenseProblemKind, type LicenseVerification, type VerifyOptions, verifyLicense, peekLicense } from "./verify.js";
export { type LicenseRequest, type CreateRequestOptions, createLicenseRequest, parseLicenseRequest, readLicenseRequestFile } from "./request-file.js";
export { readLicenseFile } from "./license-file.js";
export { type UsageKind, type UsageStore, MemoryUsageStore } from "./usage-store.js";
export { type LicenseState, type LicenseStatus, type LicenseLogger, type LicenseGuardOptions, LicenseGuard } from "./license-guard.js";
export { messages, isoDate } from "./messages.js";
