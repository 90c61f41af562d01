import { ConfigError, configWarnings, parseConfig, type ConfigWarning, type ConnectorConfig } from "../config/index.js";

/** Keys whose values are secrets wherever they appear in the configuration. */
const SECRET_KEY = /(secret|password|token|webhookUrl|linkSecret|connection)$/i;
const MASK = "••••••";

/** A copy of the configuration with secrets masked (URLs keep their host so the admin sees where they point). */
export function maskSecrets(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskSecrets(v, k);
    return out;
  }
  if (typeof value === "string" && value !== "") {
    if (SECRET_KEY.test(key)) return maskedString(value);
    if (/^[a-z][a-z0-9+.-]*:\/\/[^/]*:[^@/]*@/i.test(value)) return maskedString(value);
  }
  return value;
}

function maskedString(value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol === "http:" || u.protocol === "https:" || u.username || u.password) return `${u.protocol}//${u.host}/${MASK}`;
  } catch {
    /* not a URL */
  }
  return MASK;
}

export interface ConfigCheck {
  ok: boolean;
  /** Each wrong key with its path (a.b.c) and what is wrong. */
  issues: Array<{ path: string; message: string }>;
  /** Valid settings that are probably not what the administrator wants (a valid configuration only). */
  warnings: ConfigWarning[];
}

/** Validates a configuration (text or object) with the connector's schema, without applying it. */
export function checkConfig(input: string | unknown, env: NodeJS.ProcessEnv = process.env): ConfigCheck & { config?: ConnectorConfig } {
  let raw = input;
  if (typeof input === "string") {
    try {
      raw = JSON.parse(input);
    } catch (err) {
      return { ok: false, issues: [{ path: "", message: `not valid JSON: ${(err as Error).message}` }], warnings: [] };
    }
  }
  try {
    const config = parseConfig(raw, "check", env);
    return { ok: true, issues: [], warnings: configWarnings(config), config };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, issues: err.issues, warnings: [] };
    return { ok: false, issues: [{ path: "", message: (err as Error).message }], warnings: [] };
  }
}

/**
 * The console shows secrets masked; an edited copy sent back for checking still holds the masks.
 * Each masked string is put back to the effective value at the same key path, so only what the
 * admin changed is judged.
 */
export function restoreMasked(edited: unknown, effective: unknown): unknown {
  if (typeof edited === "string") return edited.includes(MASK) && typeof effective === "string" ? effective : edited;
  if (Array.isArray(edited)) return edited.map((v, i) => restoreMasked(v, Array.isArray(effective) ? effective[i] : undefined));
  if (edited && typeof edited === "object") {
    const eff = effective && typeof effective === "object" ? (effective as Record<string, unknown>) : {};
    return Object.fromEntries(Object.entries(edited).map(([k, v]) => [k, restoreMasked(v, eff[k])]));
  }
  return edited;
}
