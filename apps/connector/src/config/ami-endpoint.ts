import { tlsClientOptions } from "@asterisk-b24/common";
import type { ConnectionOptions } from "node:tls";
import type { ConnectorConfig } from "./schema.js";

/** Where the AMI client connects: host, port and, with `ami.tls`, the TLS options (PEM files read now). */
export function amiEndpoint(ami: ConnectorConfig["ami"]): { host: string; port: number; tls?: ConnectionOptions } {
  return { host: ami.host, port: ami.port, ...(ami.tls ? { tls: tlsClientOptions(ami.tls, "ami.tls", ami.host) } : {}) };
}
