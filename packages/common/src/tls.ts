import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import type { ConnectionOptions } from "node:tls";
import { z } from "zod";
import { SettingsError } from "./settings-error.js";

/** TLS of a client connection (Redis, AMI): files are PEM paths read at start. */
export const tlsClientSchema = z.strictObject({
  /** CA bundle that signed the server's certificate (default: the system's CAs). */
  ca: z.string().min(1).optional(),
  /** Client certificate and key, when the server asks for one. */
  cert: z.string().min(1).optional(),
  key: z.string().min(1).optional(),
  /** The name the server's certificate must carry (default: the host connected to). */
  servername: z.string().min(1).optional(),
  /** false only to test with a self-signed certificate: the connection is then open to interception. */
  rejectUnauthorized: z.boolean().default(true),
});

export type TlsClientSettings = z.output<typeof tlsClientSchema>;

function readPem(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new SettingsError(key, `cannot read ${path}: ${(err as Error).message}`);
  }
}

/**
 * Settings → node:tls connect options. `keyPath` names the settings in errors (e.g. "ami.tls");
 * `host` becomes the expected certificate name unless it is an IP address (Node checks IPs
 * against the certificate's IP entries itself).
 */
export function tlsClientOptions(settings: TlsClientSettings | undefined, keyPath: string, host?: string): ConnectionOptions {
  const t = settings ?? { rejectUnauthorized: true };
  const servername = t.servername ?? (host && !isIP(host) ? host : undefined);
  return {
    rejectUnauthorized: t.rejectUnauthorized,
    ...(t.ca ? { ca: readPem(t.ca, `${keyPath}.ca`) } : {}),
    ...(t.cert ? { cert: readPem(t.cert, `${keyPath}.cert`) } : {}),
    ...(t.key ? { key: readPem(t.key, `${keyPath}.key`) } : {}),
    ...(servername ? { servername } : {}),
  };
}
