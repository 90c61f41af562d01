/** Phone number helpers: letter stripping (register) and the digits-only key used for CRM matching and de-dup. */

/** `CVoxImplantPhone::stripLetters`: removes letters, keeps digits and punctuation. */
export function stripLetters(s: string): string {
  return s.replace(/\p{L}/gu, "").trim();
}

/**
 * Matching key: digits only; an 11-digit number starting with 8 is read as +7 (the emulated portal is a Russian
 * one, like the Bitrix phone parser with country RU), extensions after `#`, `,` or `;` are ignored.
 */
export function phoneKey(s: string): string {
  const main = s.split(/[#,;]|\s+(?:доб|ext|x)\.?\s*/i)[0] ?? "";
  let digits = main.replace(/\D/g, "");
  if (digits.length === 11 && digits.startsWith("8")) digits = `7${digits.slice(1)}`;
  return digits;
}

/** E.164-ish form for event data (`PHONE_NUMBER_INTERNATIONAL`). */
export function international(s: string): string {
  const k = phoneKey(s);
  return k ? `+${k}` : s;
}
