import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "pino";
import {
  LicenseGuard,
  MemoryUsageStore,
  computeFingerprint,
  readLicenseFile,
  resolveVendorPublicKey,
  systemFingerprintSources,
  type Clock,
  type UsageStore,
} from "@asterisk-b24/license";
import type { ConnectorConfig } from "../config/index.js";
import { CONNECTOR_VERSION } from "../version.js";

/** Keeps the order in which operators (PBXes, portals) were first served, across restarts. */
export class FileUsageStore implements UsageStore {
  #data: Record<string, string[]>;
  constructor(readonly path: string) {
    try {
      this.#data = JSON.parse(readFileSync(path, "utf8")) as Record<string, string[]>;
    } catch {
      this.#data = {};
    }
  }
  load(kind: string): string[] {
    return [...(this.#data[kind] ?? [])];
  }
  save(kind: string, ordered: readonly string[]): void {
    this.#data[kind] = [...ordered];
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.#data));
    renameSync(tmp, this.path);
  }
}

export class LicenseStartError extends Error {
  override readonly name = "LicenseStartError";
}

export interface ConnectorLicense {
  guard: LicenseGuard;
  /** Re-reads the licence file (daily timer, or after the admin replaced it). */
  reload(): void;
}

/**
 * The connector's licence check, offline: the licence file is verified against the vendor's
 * public key and this machine's fingerprint. No file = evaluation mode (documented limits).
 * A licence that is invalid (tampered, foreign machine, unsigned…) stops the start with the
 * exact reason; an expired one warns, then after the grace period refuses NEW calls only.
 */
export function createConnectorLicense(config: ConnectorConfig["license"], logger: Logger, clock?: Clock): ConnectorLicense {
  const token = readLicenseFile(config.file);
  let key;
  try {
    key = resolveVendorPublicKey({ override: config.publicKeyFile ? readFileSync(config.publicKeyFile, "utf8") : undefined }).key;
  } catch (err) {
    if (token !== undefined) throw new LicenseStartError(`cannot check the licence ${config.file}: ${(err as Error).message}`);
    // No licence file (evaluation) and a development build without a vendor key: nothing to verify.
    key = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
  }
  const log = logger.child({ component: "license" });
  const demo = config.demo && token === undefined;
  const guard = new LicenseGuard({
    publicKey: key,
    machine: computeFingerprint(systemFingerprintSources(config.machineIdPaths ? { machineIdPaths: config.machineIdPaths } : {})),
    version: CONNECTOR_VERSION,
    graceDays: config.graceDays,
    usageStore: config.usageFile ? new FileUsageStore(config.usageFile) : new MemoryUsageStore(),
    // In the demo the evaluation state is expected: the guard's own warnings would be noise.
    logger: demo ? logger.child({ component: "license" }, { level: "error" }) : log,
    ...(clock ? { clock } : {}),
  });
  const status = guard.load(token);
  if (!guard.canStart()) throw new LicenseStartError(status.message);
  if (status.state === "valid") log.info({ licenseId: status.licenseId, customer: status.customer, limits: status.limits, expiresAt: status.expiresAt }, status.message);
  else if (demo && status.state === "evaluation") log.info({ state: status.state, limits: status.limits }, `demo, evaluation licence: ${status.message}`);
  else log.warn({ state: status.state, limits: status.limits }, status.message);
  return {
    guard,
    reload() {
      const s = guard.load(readLicenseFile(config.file));
      if (s.state !== "valid") log.warn({ state: s.state }, s.message);
    },
  };
}
