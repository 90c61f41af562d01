// Health probe shipped in every service bundle (lib/healthcheck.mjs) and used by the Docker HEALTHCHECK:
//   node lib/healthcheck.mjs [url]     default url: $HEALTHCHECK_URL or http://127.0.0.1:@PORT@@PATH@
// Exit 0 when the URL answers 2xx within the timeout ($HEALTHCHECK_TIMEOUT_MS, default 3000), else 1.
// Uses Node's own fetch, so images need no curl or wget.
const url = process.argv[2] ?? process.env.HEALTHCHECK_URL ?? "http://127.0.0.1:@PORT@@PATH@";
const timeoutMs = Number(process.env.HEALTHCHECK_TIMEOUT_MS ?? 3000);
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) {
    process.stderr.write(`healthcheck: ${url} answered ${res.status}\n`);
    process.exit(1);
  }
  process.exit(0);
} catch (err) {
  process.stderr.write(`healthcheck: ${url}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
