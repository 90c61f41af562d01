/**
 * Long PBX extensions ↔ the short numbers Bitrix24 users carry in UF_PHONE_INNER.
 *
 * Bitrix24 accepts only short inner numbers (4 digits in practice); some PBXes use longer,
 * prefixed extensions (`7701101`, `5550123`). The map translates:
 * - PBX → Bitrix24 (`toB24`) before looking a user up or registering a call;
 * - Bitrix24 → PBX (`toPbx`) when click-to-call (OnExternalCallStart) names the user's short
 *   number and the connector must Originate from the real extension.
 *
 * The explicit map wins in both directions; then the rules are tried in order; a number no rule
 * applies to is returned unchanged.
 */

export type ExtensionRule =
  /** `7701101` → `101`; back: `101` → `7701101`. Applies to numbers starting with `prefix`. */
  | { kind: "strip-prefix"; prefix: string }
  /**
   * Keep the last `digits` digits: `5550123` → `0123`. Back: `pbxPrefix + short` when `pbxPrefix`
   * is set, otherwise the number is returned unchanged (the PBX side cannot be guessed).
   * Applies to all-digit numbers longer than `digits` (and starting with `pbxPrefix` if set).
   */
  | { kind: "last-digits"; digits: number; pbxPrefix?: string };

export interface ExtensionMapConfig {
  /** PBX extension → Bitrix24 inner number (`{"7701101": "101"}`). Must be one-to-one. */
  explicit?: Record<string, string>;
  rules?: ExtensionRule[];
}

export class ExtensionMapConfigError extends Error {
  override readonly name = "ExtensionMapConfigError";
}

export interface ExtensionMap {
  /** PBX extension → Bitrix24 inner number. */
  toB24(pbxExtension: string): string;
  /** Bitrix24 inner number → PBX extension. */
  toPbx(b24Inner: string): string;
}

export function createExtensionMap(config: ExtensionMapConfig = {}): ExtensionMap {
  const forward = new Map<string, string>();
  const backward = new Map<string, string>();
  for (const [pbx, b24] of Object.entries(config.explicit ?? {})) {
    const p = pbx.trim();
    const b = b24.trim();
    if (p === "" || b === "") throw new ExtensionMapConfigError(`extensionMap: empty number in "${pbx}" → "${b24}"`);
    const other = backward.get(b);
    if (other !== undefined) {
      throw new ExtensionMapConfigError(`extensionMap: "${b}" is the Bitrix24 number of both "${other}" and "${p}"`);
    }
    forward.set(p, b);
    backward.set(b, p);
  }
  const rules = config.rules ?? [];
  for (const rule of rules) {
    if (rule.kind === "strip-prefix" && rule.prefix === "") {
      throw new ExtensionMapConfigError("extensionMap: strip-prefix needs a non-empty prefix");
    }
    if (rule.kind === "last-digits" && (!Number.isInteger(rule.digits) || rule.digits < 1)) {
      throw new ExtensionMapConfigError("extensionMap: last-digits needs digits ≥ 1");
    }
  }

  return {
    toB24(pbxExtension) {
      const ext = pbxExtension.trim();
      const explicit = forward.get(ext);
      if (explicit !== undefined) return explicit;
      for (const rule of rules) {
        if (rule.kind === "strip-prefix") {
          if (ext.startsWith(rule.prefix) && ext.length > rule.prefix.length) return ext.slice(rule.prefix.length);
        } else if (/^\d+$/.test(ext) && ext.length > rule.digits && (!rule.pbxPrefix || ext.startsWith(rule.pbxPrefix))) {
          return ext.slice(-rule.digits);
        }
      }
      return ext;
    },
    toPbx(b24Inner) {
      const inner = b24Inner.trim();
      const explicit = backward.get(inner);
      if (explicit !== undefined) return explicit;
      for (const rule of rules) {
        if (rule.kind === "strip-prefix") return rule.prefix + inner;
        if (rule.pbxPrefix && /^\d+$/.test(inner) && inner.length === rule.digits) return rule.pbxPrefix + inner;
      }
      return inner;
    },
  };
}
