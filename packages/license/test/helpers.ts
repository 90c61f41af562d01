import {
  computeFingerprint,
  fixedFingerprintSources,
  generateVendorKeyPair,
  issueLicense,
  type IssueLicenseOptions,
  type MachineFingerprint,
  type RawMachine,
  type VendorKeyPair,
} from "../src/index.js";

export const HINT = 'To request a new licence, run "license-tool request --customer <your company>" on this machine and send the request file it writes to your vendor.';

export const DAY = 86_400_000;
/** 2026-01-15T12:00:00Z */
export const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

export const SERVER_A: RawMachine = {
  machineId: "3d1219c7c4c5404aaa1f6d2a48adfda4",
  macs: ["52:54:00:12:34:56", "52:54:00:AB:CD:EF"],
  hostname: "pbx-a.acme.local",
};
export const SERVER_B: RawMachine = {
  machineId: "0b5e0f6b8f5b4c7e9a1d2c3b4a596877",
  macs: ["52:54:00:99:88:77"],
  hostname: "pbx-b.acme.local",
};

export const fp = (machine: RawMachine): MachineFingerprint => computeFingerprint(fixedFingerprintSources(machine));

let vendor: VendorKeyPair | undefined;
let stranger: VendorKeyPair | undefined;
export const vendorKeys = (): VendorKeyPair => (vendor ??= generateVendorKeyPair());
export const strangerKeys = (): VendorKeyPair => (stranger ??= generateVendorKeyPair());

export function issueFor(machine: RawMachine, overrides: Partial<IssueLicenseOptions> = {}): string {
  return issueLicense({
    privateKey: vendorKeys().privateKeyPem,
    customer: "Acme LLC",
    licenseId: "LIC-TEST-0001",
    factors: fp(machine),
    limits: { operators: 3, pbxes: 1, portals: 1 },
    features: ["call-recording"],
    issuedAt: NOW - 10 * DAY,
    expiresAt: NOW + 30 * DAY,
    ...overrides,
  }).token;
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
export const decodePart = (token: string, index: number): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split(".")[index]!, "base64url").toString("utf8")) as Record<string, unknown>;
/** Replaces one segment of a token, keeping the others (what an editing customer would do). */
export function withPart(token: string, index: 0 | 1 | 2, value: unknown): string {
  const parts = token.split(".");
  parts[index] = typeof value === "string" ? value : b64(value);
  return parts.join(".");
}
