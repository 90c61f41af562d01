// Health probe shipped in every service bundle (lib/healthcheck.mjs) and used by the Docker HEALTHCHECK:
//   node lib/healthcheck.mjs [url] [--config FILE]
// Without a url it reads the service's configuration (--config, $ASTERISK_B24_CONFIG, else
// /etc/asterisk-b24/@APP@.json): http.port (default @PORT@), http.host and http.auth (Basic
// credentials of /status), and probes http://<host>:<port>@PATH@. $HEALTHCHECK_URL overrides the url.
// Exit 0 when the URL answers 2xx within the timeout ($HEALTHCHECK_TIMEOUT_MS, default 3000), else 1.
// The connector's /status answers 503 while its app_status is Error (Redis unreachable, AMI down,
// Bitrix24 refusing the credential…), so the probe fails then. Uses Node's own fetch: no curl needed.
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
const configAt = args.indexOf("--config");
const configPath = configAt >= 0 ? args[configAt + 1] : (process.env.ASTERISK_B24_CONFIG ?? "/etc/asterisk-b24/@APP@.json");
const explicitUrl = args.find((a, i) => !a.startsWith("--") && (configAt < 0 || i !== configAt + 1)) ?? process.env.HEALTHCHECK_URL;
const timeoutMs = Number(process.env.HEALTHCHECK_TIMEOUT_MS ?? 3000);

/** The `http` section of the configuration, or {} when there is none to read. */
function httpConfig() {
  try {
    const http = JSON.parse(readFileSync(configPath, "utf8")).http;
    return http && typeof http === "object" ? http : {};
  } catch (err) {
    if (configAt >= 0 || process.env.ASTERISK_B24_CONFIG) {
      process.stderr.write(`healthcheck: cannot read ${configPath}: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    return {};
  }
}

const http = httpConfig();
const port = Number.isInteger(http.port) && http.port > 0 ? http.port : Number("@PORT@");
const host = typeof http.host === "string" && !["0.0.0.0", "::", ""].includes(http.host) ? http.host : "127.0.0.1";
const url = explicitUrl ?? `http://${host.includes(":") ? `[${host}]` : host}:${port}@PATH@`;
const headers = {};
const auth = http.auth;
if (auth && typeof auth.user === "string" && typeof auth.password === "string") {
  headers.authorization = "Basic " + Buffer.from(`${auth.user}:${auth.password}`).toString("base64");
}

try {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) {
    let why = "";
    try {
      const body = await res.json();
      if (Array.isArray(body?.problems) && body.problems.length) why = `: ${body.problems.join("; ")}`;
    } catch {
      // not the status document
    }
    process.stderr.write(`healthcheck: ${url} answered ${res.status}${why}\n`);
    process.exit(1);
  }
  process.exit(0);
} catch (err) {
  process.stderr.write(`healthcheck: ${url}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
