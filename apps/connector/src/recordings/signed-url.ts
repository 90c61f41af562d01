import { createHmac, timingSafeEqual } from "node:crypto";
import { basename, isAbsolute, normalize, relative, resolve, sep } from "node:path";
import { RecordingPathError, RecordingTokenError } from "./errors.js";

/**
 * Links to recordings that the CRM player (or Bitrix24 itself, for attachRecord by URL) can open
 * without a login, yet cannot be guessed or reused forever:
 * `<baseUrl>/<token>/<file name>`, token = base64url(JSON {p: path relative to the recordings root,
 * e: expiry in unix seconds}) + "." + base64url(HMAC-SHA256(secret, first part)).
 * The trailing file name is cosmetic (players show it); only the token is trusted.
 */

export interface TokenOptions {
  /** At least 16 characters; keep it in the environment, not in the config file. */
  secret: string;
  /** Lifetime (default 90 days: the link lives in the CRM activity). */
  ttlSeconds?: number;
  /** ms clock, for tests. */
  now?: () => number;
}

interface Payload {
  p: string;
  e: number;
}

function checkSecret(secret: string): void {
  if (typeof secret !== "string" || secret.length < 16) {
    throw new RangeError("recording link secret must be at least 16 characters");
  }
}

const mac = (secret: string, data: string) => createHmac("sha256", secret).update(data).digest("base64url");

/** Path of `file` relative to `root`, with forward slashes; throws if it is outside. */
export function relativeToRoot(root: string, file: string): string {
  const rel = relative(resolve(root), resolve(file));
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) {
    throw new RecordingPathError(`${file} is not inside ${root}`);
  }
  return rel.split(sep).join("/");
}

export function signRecordingToken(relPath: string, options: TokenOptions): string {
  checkSecret(options.secret);
  const p = normalize(relPath).split(sep).join("/");
  if (p.startsWith("../") || p === ".." || isAbsolute(p) || p.includes("\0")) {
    throw new RecordingPathError(`not a relative path inside the recordings root: ${relPath}`);
  }
  const now = (options.now ?? Date.now)();
  const payload: Payload = { p, e: Math.floor(now / 1000) + (options.ttlSeconds ?? 90 * 86_400) };
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${body}.${mac(options.secret, body)}`;
}

/** Returns the relative path the token grants; throws RecordingTokenError. */
export function verifyRecordingToken(token: string, options: Pick<TokenOptions, "secret" | "now">): string {
  checkSecret(options.secret);
  const parts = token.split(".");
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new RecordingTokenError("malformed");
  const [body, sig] = parts as [string, string];
  const expected = Buffer.from(mac(options.secret, body));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new RecordingTokenError("bad-signature");
  }
  let payload: Payload;
  try {
    payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Payload;
  } catch {
    throw new RecordingTokenError("malformed");
  }
  if (typeof payload?.p !== "string" || typeof payload.e !== "number") throw new RecordingTokenError("malformed");
  if (Math.floor((options.now ?? Date.now)() / 1000) >= payload.e) throw new RecordingTokenError("expired");
  return payload.p;
}

/** `https://connector.example/recordings/<token>/<name>` */
export function signedRecordingUrl(baseUrl: string, relPath: string, options: TokenOptions): string {
  const base = baseUrl.endsWith("/") ? baseUrl.slice(0, -1) : baseUrl;
  return `${base}/${signRecordingToken(relPath, options)}/${encodeURIComponent(basename(relPath))}`;
}
