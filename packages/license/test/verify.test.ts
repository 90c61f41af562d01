import { createHmac } from "node:crypto";
import jwt from "jsonwebtoken";
import { describe, expect, it } from "vitest";
import { issueLicense, keyIdOf, parsePolicy, verifyLicense, type LicenseVerification } from "../src/index.js";
import { DAY, decodePart, fp, HINT, issueFor, NOW, SERVER_A, SERVER_B, strangerKeys, vendorKeys, withPart } from "./helpers.js";

const verifyOn = (token: string, machine = SERVER_A, now = NOW, extra: { version?: string; product?: string } = {}): LicenseVerification =>
  verifyLicense(token, { publicKey: vendorKeys().publicKeyPem, machine: fp(machine), now, ...extra });

describe("verifyLicense", () => {
  it("accepts a licence issued by the vendor for this machine", () => {
    const r = verifyOn(issueFor(SERVER_A));
    expect(r.ok).toBe(true);
    expect(r.kind).toBe("valid");
    expect(r.message).toBe("Licence LIC-TEST-0001 for Acme LLC is valid until 2026-02-14 (30 days left).");
    if (r.ok) {
      expect(r.daysLeft).toBe(30);
      expect(r.license.limits).toEqual({ operators: 3, pbxes: 1, portals: 1 });
      expect(r.license.features).toEqual(["call-recording"]);
      expect(r.license.machine.policy).toEqual({ anyOf: [["machineId"], ["hostname", "mac"]] });
    }
  });

  it("signs with ES256 and names the vendor key in the header", () => {
    const header = decodePart(issueFor(SERVER_A), 0);
    expect(header).toEqual({ alg: "ES256", typ: "JWT", kid: keyIdOf(vendorKeys().publicKeyPem) });
  });

  it("accepts a licence without expiry date", () => {
    const r = verifyOn(issueFor(SERVER_A, { expiresAt: undefined }));
    expect(r.message).toBe("Licence LIC-TEST-0001 for Acme LLC is valid with no expiry date.");
  });

  it("refuses a tampered payload (more operators written into the file)", () => {
    const token = issueFor(SERVER_A);
    const payload = decodePart(token, 1);
    const forged = withPart(token, 1, { ...payload, limits: { operators: 300, pbxes: 1, portals: 1 } });
    const r = verifyOn(forged);
    expect(r.kind).toBe("tampered");
    expect(r.message).toBe(
      `The licence file was modified after it was issued: its contents no longer match the vendor's signature, so it is refused. Restore the original file you received. ${HINT}`,
    );
  });

  it("refuses a licence signed by another key", () => {
    const token = issueLicense({
      privateKey: strangerKeys().privateKeyPem,
      customer: "Acme LLC",
      factors: fp(SERVER_A),
      limits: { operators: 999, pbxes: 9, portals: 9 },
      issuedAt: NOW - DAY,
      expiresAt: NOW + 365 * DAY,
    }).token;
    const r = verifyOn(token);
    expect(r.kind).toBe("wrong_signature");
    expect(r.message).toBe(`The licence is not signed with the asterisk-b24 vendor key (it was signed with another key), so it is refused. ${HINT}`);
  });

  it("refuses an HMAC licence keyed with the public key (algorithm confusion)", () => {
    const payload = decodePart(issueFor(SERVER_A), 1);
    const header = { alg: "HS256", typ: "JWT", kid: keyIdOf(vendorKeys().publicKeyPem) };
    const unsigned = `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
    const sig = createHmac("sha256", vendorKeys().publicKeyPem).update(unsigned).digest("base64url");
    const r = verifyOn(`${unsigned}.${sig}`);
    expect(r.kind).toBe("wrong_signature");
    expect(r.ok === false && "detail" in r ? r.detail : "").toBe("algorithm HS256 is not accepted");
  });

  it("refuses an unsigned licence: alg none, or the signature cut off", () => {
    const payload = decodePart(issueFor(SERVER_A), 1);
    const none = jwt.sign(payload, null, { algorithm: "none" });
    const expected = `The licence has no signature (algorithm "none" or an empty signature), so it is refused. ${HINT}`;
    expect(verifyOn(none)).toMatchObject({ ok: false, kind: "unsigned", message: expected });
    const stripped = withPart(issueFor(SERVER_A), 2, "");
    expect(verifyOn(stripped)).toMatchObject({ ok: false, kind: "unsigned", message: expected });
  });

  it("refuses a licence issued for another machine, saying which factors differ", () => {
    const r = verifyOn(issueFor(SERVER_A), SERVER_B);
    expect(r.kind).toBe("other_machine");
    expect(r.message).toBe(
      `Licence LIC-TEST-0001 for Acme LLC was issued for another machine (matched: none; not matched: machine-id, MAC address, hostname), so it is refused on this machine. ${HINT}`,
    );
    const sameName = verifyOn(issueFor(SERVER_A), { ...SERVER_B, hostname: SERVER_A.hostname });
    expect(sameName.message).toBe(
      `Licence LIC-TEST-0001 for Acme LLC was issued for another machine (matched: hostname; not matched: machine-id, MAC address), so it is refused on this machine. ${HINT}`,
    );
  });

  it("reports an expired licence with the number of days (and still returns its payload)", () => {
    const r = verifyOn(issueFor(SERVER_A), SERVER_A, NOW + 33 * DAY);
    expect(r.kind).toBe("expired");
    expect(r.message).toBe(`Licence LIC-TEST-0001 for Acme LLC expired on 2026-02-14 (3 days ago). ${HINT}`);
    if (r.kind === "expired") {
      expect(r.daysExpired).toBe(3);
      expect(r.license.limits.operators).toBe(3);
    }
  });

  it("refuses a licence that is not valid yet", () => {
    const r = verifyOn(issueFor(SERVER_A, { notBefore: NOW + 2 * DAY }));
    expect(r.kind).toBe("not_yet_valid");
    expect(r.message).toBe(`Licence LIC-TEST-0001 for Acme LLC is not valid before 2026-01-17 (2 days from now), so it is refused. Check this machine's date and time. ${HINT}`);
  });

  it("refuses a version outside min/max and another product", () => {
    const token = issueFor(SERVER_A, { minVersion: "1.0.0", maxVersion: "1.9.99" });
    expect(verifyOn(token, SERVER_A, NOW, { version: "1.4.2" }).ok).toBe(true);
    const r = verifyOn(token, SERVER_A, NOW, { version: "2.0.0" });
    expect(r.kind).toBe("version_not_covered");
    expect(r.message).toBe(`Licence LIC-TEST-0001 for Acme LLC covers versions 1.0.0 to 1.9.99, not this version 2.0.0, so it is refused. ${HINT}`);
    const other = verifyOn(issueFor(SERVER_A, { product: "other-product" }));
    expect(other.message).toBe(`Licence LIC-TEST-0001 for Acme LLC is for the product "other-product", not "asterisk-b24", so it is refused. ${HINT}`);
  });

  it("refuses malformed files with the reason", () => {
    expect(verifyOn("hello world").message).toBe(`The licence file is not a valid licence (it is not a signed licence token), so it is refused. ${HINT}`);
    // Correctly signed by the vendor key but missing required claims.
    const bad = jwt.sign({ v: 1, product: "asterisk-b24" }, vendorKeys().privateKeyPem, {
      algorithm: "ES256",
      keyid: keyIdOf(vendorKeys().publicKeyPem),
    });
    expect(verifyOn(bad)).toMatchObject({
      kind: "malformed",
      message: `The licence file is not a valid licence ("licenseId" is missing), so it is refused. ${HINT}`,
    });
  });

  it("honours a vendor-chosen policy (hostname only) and drops rules the request cannot satisfy", () => {
    const token = issueFor({ hostname: "pbx-a.acme.local" }, { policy: parsePolicy("machine-id|hostname") });
    expect(decodePart(token, 1).machine).toMatchObject({ policy: { anyOf: [["hostname"]] } });
    expect(verifyOn(token).ok).toBe(true);
  });
});
