/**
 * Admin commands of the b24-app (all read the service's config file):
 *
 *   b24-app-cli keygen        --config F [--force]        write the token key pair (tokens.*KeyFile)
 *   b24-app-cli token issue   --config F --connector ID [--scope connector,crm.deal.*] [--ttl-days N] [--note TEXT]
 *   b24-app-cli token list    --config F [--json]
 *   b24-app-cli token revoke  --config F JTI
 *   b24-app-cli install-url   --config F                  what to paste into the portal's local-app form
 *   b24-app-cli audit         --config F [--limit N]      last uses of connector tokens
 *   b24-app-cli status        --config F
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { APP_PAGE_PATH, eventHandlerUrl, GATEWAY_PATH, installUrl } from "./app.js";
import { B24AppConfigError, loadB24AppConfig, type B24AppConfig } from "./config.js";
import { connectRedis } from "./redis.js";
import { AppStore } from "./store.js";
import { ConnectorTokens, generateTokenKeys, readTokenKeys } from "./tokens.js";

export class CliUsageError extends Error {
  override readonly name = "CliUsageError";
}

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

function parseArgs(argv: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith("--")) flags.set(a.slice(2), argv[++i]!);
    else flags.set(a.slice(2), true);
  }
  return { positional, flags };
}

function flag(p: Parsed, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === "string" ? v : undefined;
}

export const USAGE = `usage: b24-app-cli <command> --config FILE
  keygen [--force]                         write the token key pair named in tokens.privateKeyFile / publicKeyFile
  token issue --connector ID [--scope S,…] [--ttl-days N] [--note TEXT]
  token list [--json]
  token revoke JTI
  install-url                              URLs and scopes for the portal's local-application form
  audit [--limit N]                        last uses of connector tokens
  status`;

/** Runs one command; returns the text to print. Exposed for tests. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const p = parseArgs(argv);
  const file = flag(p, "config") ?? env.B24_APP_CONFIG;
  if (!file) throw new CliUsageError(USAGE);
  const config = loadB24AppConfig(file, env);
  const [cmd, sub, arg] = p.positional;
  switch (cmd) {
    case "keygen":
      return keygen(config, p.flags.has("force"));
    case "install-url":
      return installText(config);
    case "token":
    case "audit":
    case "status":
      return withStore(config, async (store) => {
        if (cmd === "audit") {
          const rows = await store.auditTail(Number(flag(p, "limit") ?? 50));
          return (
            rows.map((r) => `${r.at} ${r.status} ${r.kind} ${r.connectorId || "-"} ${r.jti || "-"} ${r.methods}${r.reason ? ` (${r.reason})` : ""}`).join("\n") || "(no entries)"
          );
        }
        if (cmd === "status") {
          const install = await store.install();
          return JSON.stringify(
            {
              installed: install ? { domain: install.domain, at: install.installedAt } : null,
              credential: config.portal.credential.mode,
              oauthRefreshes: await store.refreshCount(),
            },
            null,
            2,
          );
        }
        if (sub === "issue") {
          const connector = flag(p, "connector");
          if (!connector) throw new CliUsageError("token issue needs --connector ID");
          const tokens = new ConnectorTokens(store, readTokenKeys(config.tokens, true), config.tokens.defaultTtlDays);
          const scopes = (flag(p, "scope") ?? "connector").split(",");
          const ttl = flag(p, "ttl-days");
          const note = flag(p, "note");
          const { token, record } = await tokens.issue({ connectorId: connector, scopes, ...(ttl ? { ttlDays: Number(ttl) } : {}), ...(note ? { note } : {}) });
          return [
            `issued ${record.jti} for connector "${record.connectorId}", valid until ${record.expiresAt}`,
            `scopes: ${record.scopes.join(" ")}`,
            "",
            "Put this into the connector's config (b24.auth) — it is shown only once:",
            JSON.stringify({ mode: "gateway", gatewayUrl: new URL(GATEWAY_PATH, config.http.publicUrl).toString(), token }, null, 2),
          ].join("\n");
        }
        if (sub === "list") {
          const list = await store.tokens();
          if (p.flags.has("json")) return JSON.stringify(list, null, 2);
          return (
            list
              .map(
                (t) =>
                  `${t.jti}  ${t.connectorId}  issued ${t.issuedAt}  expires ${t.expiresAt}  ${t.revokedAt ? `REVOKED ${t.revokedAt}` : "active"}  ${t.scopes.length} scopes${t.note ? `  "${t.note}"` : ""}`,
              )
              .join("\n") || "(no tokens)"
          );
        }
        if (sub === "revoke") {
          if (!arg) throw new CliUsageError("token revoke needs the token id (jti) from `token list`");
          const known = await store.token(arg);
          if (!known) throw new CliUsageError(`no token ${arg}`);
          return (await store.revoke(arg)) ? `revoked ${arg} (connector "${known.connectorId}"): refused from now on` : `${arg} was already revoked`;
        }
        throw new CliUsageError(USAGE);
      });
    default:
      throw new CliUsageError(USAGE);
  }
}

async function withStore<T>(config: B24AppConfig, fn: (store: AppStore) => Promise<T>): Promise<T> {
  const redis = connectRedis(config.redis);
  try {
    return await fn(new AppStore(redis, config.redis.prefix, config.audit.maxEntries));
  } finally {
    redis.disconnect();
  }
}

function keygen(config: B24AppConfig, force: boolean): string {
  const { privateKeyFile, publicKeyFile, algorithm } = config.tokens;
  if (!force && (existsSync(privateKeyFile) || existsSync(publicKeyFile))) {
    throw new CliUsageError(`key files exist (${privateKeyFile}); --force replaces them and invalidates every issued token`);
  }
  const keys = generateTokenKeys(algorithm);
  mkdirSync(dirname(privateKeyFile), { recursive: true });
  mkdirSync(dirname(publicKeyFile), { recursive: true });
  writeFileSync(privateKeyFile, keys.privateKey, { mode: 0o600 });
  writeFileSync(publicKeyFile, keys.publicKey, { mode: 0o644 });
  return `wrote ${algorithm} key pair: ${privateKeyFile} (private, 0600), ${publicKeyFile}`;
}

function installText(config: B24AppConfig): string {
  return [
    "Bitrix24 → Applications → Developer resources → Other → Local application:",
    '  type:                         server, "Script only (no user interface)"',
    `  handler path:                 ${new URL(APP_PAGE_PATH, config.http.publicUrl).toString()}`,
    `  initial installation path:    ${installUrl(config)}`,
    "  permissions (scopes):         telephony, crm, user, im, task" + (config.portal.credential.mode === "oauth" ? "" : "  (also give the incoming webhook these scopes)"),
    "",
    `events are bound to:            ${config.events.mode === "online" ? eventHandlerUrl(config) : "the offline queue (event.offline.get)"}`,
    `connector gateway URL:          ${new URL(GATEWAY_PATH, config.http.publicUrl).toString()}`,
    config.portal.credential.mode === "oauth" ? "then copy client_id / client_secret from the form into portal.credential." : "",
  ]
    .join("\n")
    .trimEnd();
}

const isMain = process.argv[1] !== undefined && /cli\.(ts|js|mjs)$/.test(process.argv[1]) && process.argv[1].includes("b24-app");
if (isMain) {
  runCli(process.argv.slice(2)).then(
    (out) => {
      process.stdout.write(`${out}\n`);
    },
    (err: Error) => {
      process.stderr.write(`${err instanceof CliUsageError || err instanceof B24AppConfigError ? err.message : (err.stack ?? err.message)}\n`);
      process.exit(err instanceof CliUsageError || err instanceof B24AppConfigError ? 2 : 1);
    },
  );
}
