import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { KeyFileError } from "./errors.js";

/** A vendor key pair as PEM text (PKCS#8 private, SPKI public), P-256 for ES256. */
export interface VendorKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
  keyId: string;
}

export function generateVendorKeyPair(): VendorKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem,
    keyId: keyIdOf(publicKey),
  };
}

/** Short id of a public key (first 16 base64url chars of SHA-256 over its SPKI DER). Goes in the JWT `kid`. */
export function keyIdOf(publicKey: KeyObject | string): string {
  const key = typeof publicKey === "string" ? createPublicKey(publicKey) : publicKey;
  const der = key.export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("base64url").slice(0, 16);
}

function assertP256(key: KeyObject, what: string, source: string): void {
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new KeyFileError(`${source} is not an ES256 (EC P-256) ${what}; create vendor keys with "license-tool keygen".`);
  }
}

export function parsePrivateKey(pem: string, source = "the private key"): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new KeyFileError(`${source} is not a PEM private key; create vendor keys with "license-tool keygen".`);
  }
  assertP256(key, "private key", source);
  return key;
}

export function parsePublicKey(pem: string | KeyObject, source = "the public key"): KeyObject {
  if (typeof pem !== "string") {
    if (pem.type !== "public") throw new KeyFileError(`${source} is not a public key.`);
    assertP256(pem, "public key", source);
    return pem;
  }
  if (/PRIVATE KEY/.test(pem)) {
    throw new KeyFileError(`${source} is a private key; verification needs the vendor PUBLIC key (the .pub.pem file).`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new KeyFileError(`${source} is not a PEM public key; create vendor keys with "license-tool keygen".`);
  }
  assertP256(key, "public key", source);
  return key;
}

function readKeyFile(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new KeyFileError(`${what} file not found: ${path}`);
    throw new KeyFileError(`cannot read ${what} file ${path} (${code ?? "unknown error"})`);
  }
}

export function loadPrivateKeyFile(path: string): KeyObject {
  return parsePrivateKey(readKeyFile(path, "private key"), `private key file ${path}`);
}

export function loadPublicKeyFile(path: string): KeyObject {
  return parsePublicKey(readKeyFile(path, "public key"), `public key file ${path}`);
}
