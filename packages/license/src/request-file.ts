import { readFileSync } from "node:fs";
import { PRODUCT, REQUEST_FORMAT } from "./constants.js";
import { RequestFileError } from "./errors.js";
import { computeFingerprint, FACTOR_NAMES, type FactorName, type MachineFingerprint } from "./fingerprint.js";
import type { FingerprintSources } from "./fingerprint-sources.js";

/** What the customer's machine sends the vendor. Holds only hashed identifiers. */
export interface LicenseRequest {
  format: typeof REQUEST_FORMAT;
  product: string;
  productVersion: string;
  customer: string;
  contact?: string;
  createdAt: string;
  factors: MachineFingerprint;
}

export interface CreateRequestOptions {
  customer: string;
  productVersion: string;
  contact?: string | undefined;
  factors?: readonly FactorName[];
  sources: FingerprintSources;
  now: number;
}

export function createLicenseRequest(options: CreateRequestOptions): LicenseRequest {
  const customer = options.customer.trim();
  if (!customer) throw new RequestFileError("the customer name is empty");
  const factors = computeFingerprint(options.sources, options.factors ?? FACTOR_NAMES);
  if (Object.keys(factors).length === 0) {
    throw new RequestFileError("this machine has none of the chosen identifiers (machine-id, MAC address, hostname); choose other factors with --factors");
  }
  const request: LicenseRequest = {
    format: REQUEST_FORMAT,
    product: PRODUCT,
    productVersion: options.productVersion,
    customer,
    createdAt: new Date(options.now).toISOString(),
    factors,
  };
  if (options.contact?.trim()) request.contact = options.contact.trim();
  return request;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Parses and checks a request file's text; `source` names it in errors. */
export function parseLicenseRequest(text: string, source = "the request file"): LicenseRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RequestFileError(`${source} is not a licence request (not JSON)`);
  }
  const bad = (what: string): never => {
    throw new RequestFileError(`${source} is not a valid licence request: ${what}`);
  };
  if (typeof value !== "object" || value === null) return bad("not an object");
  const r = value as Record<string, unknown>;
  if (r.format !== REQUEST_FORMAT) bad(`format is ${JSON.stringify(r.format)}, expected "${REQUEST_FORMAT}"`);
  if (typeof r.product !== "string") bad("product is missing");
  if (typeof r.customer !== "string" || !r.customer.trim()) bad("customer is missing");
  if (typeof r.productVersion !== "string") bad("productVersion is missing");
  const f = r.factors as Record<string, unknown> | undefined;
  if (typeof f !== "object" || f === null) return bad("factors are missing");
  if (f.machineId !== undefined && !(typeof f.machineId === "string" && HEX64.test(f.machineId))) bad("machineId is not a hash");
  if (f.hostname !== undefined && !(typeof f.hostname === "string" && HEX64.test(f.hostname))) bad("hostname is not a hash");
  if (f.macs !== undefined && !(Array.isArray(f.macs) && f.macs.every((m) => typeof m === "string" && HEX64.test(m)))) {
    bad("macs are not hashes");
  }
  if (f.machineId === undefined && f.hostname === undefined && f.macs === undefined) bad("it has no machine factors");
  return value as LicenseRequest;
}

export function readLicenseRequestFile(path: string): LicenseRequest {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RequestFileError(code === "ENOENT" ? `request file not found: ${path}` : `cannot read request file ${path} (${code})`);
  }
  return parseLicenseRequest(text, `request file ${path}`);
}
