/**
 * Client-number normalisation for Bitrix24.
 *
 * Asterisk hands us whatever the trunk sent: `89161234567`, `+79161234567`, `79161234567`,
 * `9161234567`, a 7-digit local number, `8 (800) 555-35-35`, `112`. Bitrix24 searches the CRM by
 * number and de-duplicates `register` by the number, so one client must always arrive in one
 * form. Rules (country code 7, trunk prefix 8, national length 10 by default):
 *
 * | input (digits)                         | becomes                        |
 * |----------------------------------------|--------------------------------|
 * | `+` anything                           | kept as international digits   |
 * | cc + national (`79161234567`)          | unchanged                      |
 * | trunk + national (`89161234567`)       | cc + national (`79161234567`)  |
 * | national (`9161234567`)                | cc + national                  |
 * | local (`1234567`, with area code 495)  | cc + area + local              |
 * | anything else (`112`, `0911`, `101`)   | unchanged (short/service)      |
 *
 * Non-digits are dropped, except a leading `+`. `plus` chooses how international results are
 * written: `"keep"` (a `+` only if the input had one), `"always"`, `"never"`.
 */

export interface PhoneRules {
  /** Country calling code, digits only (default "7"). */
  countryCode: string;
  /** Domestic trunk prefix replaced by the country code (default "8"; "" = none, e.g. "0" elsewhere). */
  trunkPrefix: string;
  /** Area code prepended to local numbers (default "" = local numbers stay as they are). */
  localAreaCode: string;
  /** Digits in a national number without the trunk prefix (default 10). */
  nationalLength: number;
  /**
   * National prefixes after the trunk prefix that stay in domestic form, e.g. ["800"] keeps
   * `88005553535` as is (toll-free numbers are not dialable as +7 800 from abroad). Default [].
   */
  keepTrunkPrefixFor: string[];
  /** How an international result is written (default "keep"). */
  plus: "keep" | "always" | "never";
}

export const DEFAULT_PHONE_RULES: PhoneRules = {
  countryCode: "7",
  trunkPrefix: "8",
  localAreaCode: "",
  nationalLength: 10,
  keepTrunkPrefixFor: [],
  plus: "keep",
};

export function phoneRules(partial: Partial<PhoneRules> = {}): PhoneRules {
  return { ...DEFAULT_PHONE_RULES, ...partial };
}

/** Kind of number the rules recognised. */
export type PhoneKind = "international" | "domestic" | "short" | "empty";

export interface NormalisedPhone {
  /** What to send to Bitrix24 (PHONE_NUMBER, crm.duplicate.findbycomm). */
  number: string;
  /** Digits-only comparison key: the same client in any input format gives the same key. */
  key: string;
  kind: PhoneKind;
}

/** Digits only. */
export function digitsOf(raw: string): string {
  return raw.replace(/\D+/g, "");
}

export function analysePhone(raw: string, partial: Partial<PhoneRules> = {}): NormalisedPhone {
  const rules = phoneRules(partial);
  const trimmed = raw.trim();
  const hadPlus = trimmed.startsWith("+");
  const digits = digitsOf(trimmed);
  if (digits === "") return { number: "", key: "", kind: "empty" };

  const international = (intl: string): NormalisedPhone => {
    const withPlus = rules.plus === "always" || (rules.plus === "keep" && hadPlus);
    return { number: withPlus ? `+${intl}` : intl, key: intl, kind: "international" };
  };

  if (hadPlus) return international(digits);

  const cc = rules.countryCode;
  const n = rules.nationalLength;
  if (digits.length === cc.length + n && digits.startsWith(cc)) return international(digits);
  const tp = rules.trunkPrefix;
  if (tp !== "" && digits.length === tp.length + n && digits.startsWith(tp)) {
    const national = digits.slice(tp.length);
    if (rules.keepTrunkPrefixFor.some((p) => national.startsWith(p))) {
      return { number: digits, key: cc + national, kind: "domestic" };
    }
    return international(cc + national);
  }
  if (digits.length === n) return international(cc + digits);
  const area = rules.localAreaCode;
  if (area !== "" && digits.length === n - area.length) return international(cc + area + digits);
  return { number: digits, key: digits, kind: "short" };
}

/** The number to send to Bitrix24; `""` when the input has no digits (anonymous caller). */
export function normaliseClientNumber(raw: string, rules: Partial<PhoneRules> = {}): string {
  return analysePhone(raw, rules).number;
}

/** Digits-only comparison key (`+7 916…`, `8916…`, `916…` → `7916…`). */
export function phoneKey(raw: string, rules: Partial<PhoneRules> = {}): string {
  return analysePhone(raw, rules).key;
}

/** True when two numbers are the same client under the rules. Empty numbers never match. */
export function samePhone(a: string, b: string, rules: Partial<PhoneRules> = {}): boolean {
  const ka = phoneKey(a, rules);
  return ka !== "" && ka === phoneKey(b, rules);
}
