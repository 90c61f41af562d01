import { createHash } from "node:crypto";
import { FINGERPRINT_SALT } from "./constants.js";
import type { FingerprintSources } from "./fingerprint-sources.js";

/** The kinds of machine identifier a fingerprint can use. */
export type FactorName = "machineId" | "mac" | "hostname";
export const FACTOR_NAMES: readonly FactorName[] = ["machineId", "mac", "hostname"];

/** Hashed identifiers of one machine. Raw values are never stored. */
export interface MachineFingerprint {
  machineId?: string;
  /** Sorted, distinct. */
  macs?: string[];
  hostname?: string;
}

export function normalizeFactor(name: FactorName, raw: string): string {
  const value = raw.trim().toLowerCase();
  if (name === "mac") return value.replace(/-/g, ":");
  if (name === "hostname") return value.replace(/\.$/, "");
  return value;
}

/** Salted SHA-256 (hex) of one identifier: sha256("<salt>\n<factor>\n<normalized value>"). */
export function hashFactor(name: FactorName, raw: string): string {
  return createHash("sha256")
    .update(`${FINGERPRINT_SALT}\n${name}\n${normalizeFactor(name, raw)}`)
    .digest("hex");
}

/**
 * Reads the chosen factors from the sources and hashes them. A factor the machine does not have
 * (no machine-id file, no physical NIC) is simply absent.
 */
export function computeFingerprint(sources: FingerprintSources, factors: readonly FactorName[] = FACTOR_NAMES): MachineFingerprint {
  const fingerprint: MachineFingerprint = {};
  if (factors.includes("machineId")) {
    const value = sources.machineId();
    if (value && value.trim()) fingerprint.machineId = hashFactor("machineId", value);
  }
  if (factors.includes("mac")) {
    const macs = [
      ...new Set(
        sources
          .macs()
          .filter((m) => m.trim())
          .map((m) => hashFactor("mac", m)),
      ),
    ].sort();
    if (macs.length > 0) fingerprint.macs = macs;
  }
  if (factors.includes("hostname")) {
    const value = sources.hostname();
    if (value && value.trim()) fingerprint.hostname = hashFactor("hostname", value);
  }
  return fingerprint;
}

/** Which factors a fingerprint contains. */
export function presentFactors(fingerprint: MachineFingerprint): FactorName[] {
  const names: FactorName[] = [];
  if (fingerprint.machineId) names.push("machineId");
  if (fingerprint.macs && fingerprint.macs.length > 0) names.push("mac");
  if (fingerprint.hostname) names.push("hostname");
  return names;
}

/** Parses "machine-id,mac,hostname" (also accepts machineId / macs). */
export function parseFactorList(text: string): FactorName[] {
  const result: FactorName[] = [];
  for (const part of text
    .split(",")
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean)) {
    const name = FACTOR_ALIASES[part];
    if (!name) throw new Error(`unknown factor "${part}" (use machine-id, mac, hostname)`);
    if (!result.includes(name)) result.push(name);
  }
  return result;
}

const FACTOR_ALIASES: Record<string, FactorName> = {
  "machine-id": "machineId",
  machineid: "machineId",
  mac: "mac",
  macs: "mac",
  hostname: "hostname",
  host: "hostname",
};

/** Human label of a factor, as used in messages. */
export function factorLabel(name: FactorName): string {
  return name === "machineId" ? "machine-id" : name === "mac" ? "MAC address" : "hostname";
}
