import { digitsOf, phoneKey, type PhoneRules } from "./phone.js";

/**
 * Black and white lists: should this call be registered in Bitrix24 at all?
 *
 * Three dimensions — the employee's extension, the trunk (line / DID) and the client number —
 * each with an optional blacklist and an optional whitelist. Entries are either exact values or
 * patterns in the Itgrix FMC / Asterisk style:
 *
 * | entry          | matches                                                     |
 * |----------------|-------------------------------------------------------------|
 * | `101`          | exactly `101` (client numbers: also any format of the same number) |
 * | `8123456XXXX`  | `X` any digit, `Z` 1-9, `N` 2-9, `[1-4]` a class; length fixed |
 * | `_7701XXX`     | the same with Asterisk's leading `_`                         |
 * | `7701*`        | prefix: anything starting with `7701`                        |
 * | `7701.`        | Asterisk: `7701` and at least one more character             |
 *
 * Decision order: any blacklist hit → not registered; then, per dimension whose whitelist is not
 * empty, the value must match it. A dimension whose value is unknown (no extension on an IVR-only
 * call, no trunk on an internal call) is not judged by its lists.
 */

export interface ListSet {
  extensions?: string[];
  trunks?: string[];
  numbers?: string[];
}

export interface ListsConfig {
  blacklist?: ListSet;
  whitelist?: ListSet;
  /** Rules to compare client numbers in any format (default: Russian, see phone.ts). */
  phoneRules?: Partial<PhoneRules>;
}

export interface RegistrationSubject {
  extension?: string | undefined;
  trunk?: string | undefined;
  clientNumber?: string | undefined;
}

export type ListField = "extension" | "trunk" | "clientNumber";

export type ListReason =
  "allowed" | "blacklisted-extension" | "blacklisted-trunk" | "blacklisted-number" | "not-whitelisted-extension" | "not-whitelisted-trunk" | "not-whitelisted-number";

export interface ListDecision {
  register: boolean;
  reason: ListReason;
  /** The entry that decided (blacklist hit), or undefined. */
  matched?: string;
}

export class ListPatternError extends Error {
  override readonly name = "ListPatternError";
}

type Matcher = { entry: string; test: (values: string[]) => boolean };

/** Compiles one list entry; exported for tests and for the FMC pattern file. */
export function compileListEntry(entry: string): (value: string) => boolean {
  const e = entry.trim();
  if (e === "") throw new ListPatternError("empty list entry");
  if (e.endsWith("*") && !e.slice(0, -1).includes("*")) {
    const prefix = e.slice(0, -1);
    return (v) => v.startsWith(prefix);
  }
  const asterisk = e.startsWith("_");
  const body = asterisk ? e.slice(1) : e;
  // A pattern only if it is made of dial-pattern characters and has a wildcard: trunk names
  // such as "SIP/Nova" stay exact.
  const looksLikePattern = /^[0-9XZN[\]\-.!+#]+$/.test(body) && /[XZN[.!]/.test(body);
  if (!asterisk && !looksLikePattern) return (v) => v === e;
  let source = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "X") source += "\\d";
    else if (c === "Z") source += "[1-9]";
    else if (c === "N") source += "[2-9]";
    else if (c === "[") {
      const close = body.indexOf("]", i);
      if (close < 0) throw new ListPatternError(`unclosed [ in "${entry}"`);
      const cls = body.slice(i + 1, close);
      if (!/^[0-9-]+$/.test(cls)) throw new ListPatternError(`bad class [${cls}] in "${entry}"`);
      source += `[${cls}]`;
      i = close;
    } else if (c === "." && i === body.length - 1) source += ".+";
    else if (c === "!" && i === body.length - 1) source += ".*";
    else if (/[0-9+#*]/.test(c)) source += c.replace(/[+*]/g, "\\$&");
    else throw new ListPatternError(`unexpected "${c}" in "${entry}"`);
  }
  const re = new RegExp(`^${source}$`);
  return (v) => re.test(v);
}

function compile(entries: string[] | undefined, candidates: (entry: string) => string[]): Matcher[] {
  return (entries ?? []).map((entry) => {
    const test = compileListEntry(entry);
    const extra = candidates(entry);
    return { entry, test: (values) => values.some(test) || extra.some((x) => values.includes(x)) };
  });
}

export interface Lists {
  shouldRegister(subject: RegistrationSubject): ListDecision;
}

export function createLists(config: ListsConfig = {}): Lists {
  const rules = config.phoneRules;
  const none = () => [] as string[];
  // An exact client-number entry also matches the same number written differently.
  const numberKeys = (entry: string) => (/^[+\d\s()-]+$/.test(entry) ? [phoneKey(entry, rules)].filter(Boolean) : []);
  const black = {
    extension: compile(config.blacklist?.extensions, none),
    trunk: compile(config.blacklist?.trunks, numberKeys),
    clientNumber: compile(config.blacklist?.numbers, numberKeys),
  };
  const white = {
    extension: compile(config.whitelist?.extensions, none),
    trunk: compile(config.whitelist?.trunks, numberKeys),
    clientNumber: compile(config.whitelist?.numbers, numberKeys),
  };
  const valuesOf = (field: ListField, raw: string): string[] => {
    const v = raw.trim();
    if (field === "extension") return [v];
    // Trunks are often DIDs; client numbers come in any format: try raw, digits and key.
    const out = new Set([v, digitsOf(v), phoneKey(v, rules)]);
    out.delete("");
    return [...out];
  };
  const FIELDS: Array<[ListField, "extension" | "trunk" | "number"]> = [
    ["extension", "extension"],
    ["trunk", "trunk"],
    ["clientNumber", "number"],
  ];

  return {
    shouldRegister(subject) {
      for (const [field, word] of FIELDS) {
        const raw = subject[field];
        if (raw === undefined || raw.trim() === "") continue;
        const hit = black[field].find((m) => m.test(valuesOf(field, raw)));
        if (hit) return { register: false, reason: `blacklisted-${word}`, matched: hit.entry };
      }
      for (const [field, word] of FIELDS) {
        const raw = subject[field];
        if (raw === undefined || raw.trim() === "" || white[field].length === 0) continue;
        if (!white[field].some((m) => m.test(valuesOf(field, raw)))) {
          return { register: false, reason: `not-whitelisted-${word}` };
        }
      }
      return { register: true, reason: "allowed" };
    },
  };
}

/** One-shot form: `shouldRegister(config, subject)`. Prefer `createLists` (patterns compiled once). */
export function shouldRegister(config: ListsConfig, subject: RegistrationSubject): ListDecision {
  return createLists(config).shouldRegister(subject);
}
