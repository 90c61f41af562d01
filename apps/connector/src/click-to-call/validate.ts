/**
 * Every value that reaches an AMI action passes here first. AMI is a line protocol: a CR or LF in
 * a value would end the header and let the rest be read as new headers (a second action, a
 * different Channel…). The AMI client refuses such values too (AmiActionValueError), but we refuse
 * them earlier, with a reason a person can act on, and never send anything.
 */

export type ClickToCallValueProblem = "control-characters" | "not-a-phone-number" | "empty" | "bad-format";

export class ClickToCallValueError extends Error {
  override readonly name = "ClickToCallValueError";
  constructor(
    readonly field: string,
    readonly problem: ClickToCallValueProblem,
    message: string,
  ) {
    super(message);
  }
}

// C0 controls (CR, LF, NUL, TAB, …), DEL and the Unicode line/paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;

function show(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

export function assertNoControl(field: string, value: string): void {
  if (CONTROL.test(value)) {
    throw new ClickToCallValueError(field, "control-characters", `${field} contains a control character (CR/LF/NUL…): ${show(value)} — refused, nothing sent to Asterisk`);
  }
}

/**
 * A client number as clicked in Bitrix24 ("+7 (916) 123-45-67") → what is dialled ("+79161234567").
 * Spaces, dashes, dots and parentheses are formatting; anything else that is not a digit (or a
 * leading +) is refused.
 */
export function cleanPhoneNumber(field: string, raw: unknown): string {
  if (typeof raw !== "string" && typeof raw !== "number") throw new ClickToCallValueError(field, "empty", `${field} is missing`);
  const value = String(raw);
  assertNoControl(field, value);
  const stripped = value.replace(/[\s().\-\u00a0]/g, "");
  if (stripped === "") throw new ClickToCallValueError(field, "empty", `${field} is empty`);
  if (!/^\+?\d{2,20}$/.test(stripped)) throw new ClickToCallValueError(field, "not-a-phone-number", `${field} is not a phone number: ${show(value)}`);
  return stripped;
}

const FORMATS: Record<string, { re: RegExp; what: string }> = {
  // PJSIP/101, SIP/trunk/89161234567, Local/101@from-internal/n, IAX2/…: no spaces, commas or '&'.
  channel: { re: /^[A-Za-z0-9]+\/[A-Za-z0-9_@./:+#*=-]+$/, what: "a channel like PJSIP/101 or Local/101@from-internal" },
  context: { re: /^[A-Za-z0-9_-]+$/, what: "a dialplan context name" },
  extension: { re: /^\+?[0-9*#]{1,40}$/, what: "digits (with an optional leading +, * or #)" },
  priority: { re: /^[A-Za-z0-9_-]{1,40}$/, what: "a priority number or label" },
};

export function assertFormat(field: keyof typeof FORMATS, value: unknown): string {
  const text = typeof value === "number" ? String(value) : typeof value === "string" ? value : "";
  assertNoControl(field, text);
  if (text === "") throw new ClickToCallValueError(field, "empty", `${field} is empty`);
  const f = FORMATS[field]!;
  if (!f.re.test(text)) throw new ClickToCallValueError(field, "bad-format", `${field} must be ${f.what}: ${show(text)}`);
  return text;
}

/** CallerID: free text, but one line and at most 80 characters. */
export function assertCallerId(value: unknown): string {
  const text = typeof value === "string" ? value : "";
  assertNoControl("caller_id", text);
  if (text.length > 80) throw new ClickToCallValueError("caller_id", "bad-format", `caller_id is longer than 80 characters`);
  return text;
}

/** A channel variable value (CRM_CALL_ID, …). */
export function assertVariable(name: string, value: string): string {
  assertNoControl(name, value);
  if (/[,|]/.test(value)) throw new ClickToCallValueError(name, "bad-format", `${name} may not contain ',' or '|': ${show(value)}`);
  return value;
}
