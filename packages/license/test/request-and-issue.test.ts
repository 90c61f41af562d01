import { describe, expect, it } from "vitest";
import {
  createLicenseRequest,
  fixedFingerprintSources,
  issueLicense,
  LicenseIssueError,
  parseLicenseRequest,
  parsePolicy,
  RequestFileError,
  resolveVendorPublicKey,
  verifyLicense,
  KeyFileError,
  PublicKeyMissingError,
  keyIdOf,
} from "../src/index.js";
import { DAY, fp, NOW, SERVER_A, strangerKeys, vendorKeys } from "./helpers.js";

describe("licence request → issue → verify (library round trip)", () => {
  it("issues a licence from a request and verifies it on the requesting machine", () => {
    const request = createLicenseRequest({
      customer: "Acme LLC",
      contact: "it@acme.example",
      productVersion: "0.1.0",
      sources: fixedFingerprintSources(SERVER_A),
      now: NOW,
    });
    expect(request).toMatchObject({ format: "asterisk-b24-license-request/1", product: "asterisk-b24", customer: "Acme LLC" });
    expect(JSON.stringify(request)).not.toContain(SERVER_A.hostname);
    const parsed = parseLicenseRequest(JSON.stringify(request));
    const { token, payload } = issueLicense({
      privateKey: vendorKeys().privateKeyPem,
      customer: parsed.customer,
      factors: parsed.factors,
      limits: { operators: 25, pbxes: 2, portals: 1 },
      features: ["recording", "analytics", "recording"],
      issuedAt: NOW,
      expiresAt: NOW + 365 * DAY,
    });
    expect(payload.licenseId).toMatch(/^LIC-20260115-[0-9A-F]{8}$/);
    expect(payload.features).toEqual(["analytics", "recording"]);
    const r = verifyLicense(token, { publicKey: vendorKeys().publicKeyPem, machine: fp(SERVER_A), now: NOW + DAY });
    expect(r.kind).toBe("valid");
  });

  it("rejects bad request files with a clear error", () => {
    expect(() => parseLicenseRequest("not json", "request file x.req")).toThrow(new RequestFileError("request file x.req is not a licence request (not JSON)"));
    expect(() => parseLicenseRequest('{"format":"other"}', "request file x.req")).toThrow(
      'request file x.req is not a valid licence request: format is "other", expected "asterisk-b24-license-request/1"',
    );
    expect(() => createLicenseRequest({ customer: "Acme", productVersion: "0.1.0", sources: fixedFingerprintSources({}), now: NOW })).toThrow(RequestFileError);
  });

  it("refuses to issue what could never match, or with bad limits", () => {
    const base = { privateKey: vendorKeys().privateKeyPem, customer: "Acme", limits: { operators: 1, pbxes: 1, portals: 1 }, issuedAt: NOW };
    expect(() => issueLicense({ ...base, factors: fp({ hostname: "only-host" }) })).toThrow(
      new LicenseIssueError(
        "the request's machine factors (hostname) cannot satisfy the match policy (machine-id | hostname + MAC address); choose a policy with --policy, e.g. --policy hostname",
      ),
    );
    expect(issueLicense({ ...base, factors: fp({ hostname: "only-host" }), policy: parsePolicy("hostname") }).payload.machine.policy).toEqual({
      anyOf: [["hostname"]],
    });
    expect(() => issueLicense({ ...base, factors: fp(SERVER_A), limits: { operators: -1, pbxes: 1, portals: 1 } })).toThrow(LicenseIssueError);
    expect(() => issueLicense({ ...base, factors: fp(SERVER_A), expiresAt: NOW - DAY })).toThrow("the expiry date is not after the start date");
    expect(() => issueLicense({ ...base, privateKey: vendorKeys().publicKeyPem, factors: fp(SERVER_A) })).toThrow(KeyFileError);
  });
});

describe("vendor public key resolution", () => {
  it("uses the embedded key when the build has one and ignores a configured override", () => {
    const r = resolveVendorPublicKey({ embedded: vendorKeys().publicKeyPem, override: strangerKeys().publicKeyPem });
    expect(r.source).toBe("embedded");
    expect(keyIdOf(r.key)).toBe(keyIdOf(vendorKeys().publicKeyPem));
  });

  it("accepts a configured key only in builds without an embedded key, and fails clearly with neither", () => {
    expect(resolveVendorPublicKey({ embedded: "", override: strangerKeys().publicKeyPem }).source).toBe("override");
    expect(() => resolveVendorPublicKey({ embedded: "" })).toThrow(PublicKeyMissingError);
    expect(() => resolveVendorPublicKey({ embedded: "", override: vendorKeys().privateKeyPem })).toThrow(
      "the configured vendor public key is a private key; verification needs the vendor PUBLIC key (the .pub.pem file).",
    );
  });
});
