import { AmiActionValueError } from "./errors.js";
import { AmiMessage, type AmiField } from "./message.js";
import { serializeFields } from "./serialize.js";

export type AmiActionScalar = string | number | boolean;
/** An action value; an array becomes a repeated header (e.g. several `Variable`). `undefined` is omitted. */
export type AmiActionValue = AmiActionScalar | readonly AmiActionScalar[] | undefined;

/** An action as a plain object (`{ Action: "Originate", Channel: "PJSIP/101", Variable: ["A=1", "B=2"] }`). */
export type AmiActionObject = { Action: string } & { [key: string]: AmiActionValue };

/** Everything `AmiClient.action()` accepts: a plain object, an AmiMessage, or ordered fields. */
export type AmiActionInput = AmiActionObject | AmiMessage | readonly AmiField[];

/**
 * Valid header name: what Asterisk's action headers look like (letters, digits, `-`, `_`, `.`,
 * starting with a letter). Anything else (spaces, colons, control characters) is refused.
 */
const KEY_RE = /^[A-Za-z][A-Za-z0-9_.-]*$/;
/** CR, LF and NUL end or truncate a header line in Asterisk: never allowed in a key or a value. */
const CONTROL_RE = /[\r\n\0]/;

/** Header names whose values are replaced by `********` in logs and action logs. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(["secret", "key"]);

/** Normalises any accepted action form to ordered fields (no validation). */
export function actionFields(input: AmiActionInput): AmiField[] {
  if (input instanceof AmiMessage) return [...input.fields];
  if (Array.isArray(input)) return [...(input as readonly AmiField[])];
  const fields: AmiField[] = [];
  for (const [k, v] of Object.entries(input as AmiActionObject)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v as readonly AmiActionScalar[]) fields.push([k, String(item)]);
    else fields.push([k, String(v)]);
  }
  return fields;
}

/**
 * Throws AmiActionValueError unless every key is a valid header name and no key or value
 * contains CR, LF or NUL, and the first header is a non-empty `Action`.
 * `allowActionId: false` also refuses a caller-supplied ActionID (the client assigns them).
 */
export function validateActionFields(fields: readonly AmiField[], options: { allowActionId?: boolean } = {}): void {
  const first = fields[0];
  if (!first || first[0].toLowerCase() !== "action" || first[1].trim() === "") {
    throw new AmiActionValueError("missing-action", first?.[0] ?? "Action");
  }
  for (const [k, v] of fields) {
    if (typeof k !== "string" || CONTROL_RE.test(k)) throw new AmiActionValueError("control-char-in-key", String(k));
    if (!KEY_RE.test(k)) throw new AmiActionValueError("invalid-key", k);
    if (typeof v !== "string" || CONTROL_RE.test(v)) throw new AmiActionValueError("control-char-in-value", k);
    if (options.allowActionId === false && k.toLowerCase() === "actionid") throw new AmiActionValueError("reserved-key", k);
  }
}

/**
 * Validates and serialises an action. With `actionId`, an `ActionID` header is inserted right
 * after `Action`. Throws AmiActionValueError (nothing is produced) on a bad key or value.
 */
export function serializeAction(input: AmiActionInput, actionId?: string): string {
  const fields = actionFields(input);
  validateActionFields(fields, { allowActionId: actionId === undefined });
  if (actionId !== undefined) {
    if (CONTROL_RE.test(actionId)) throw new AmiActionValueError("control-char-in-value", "ActionID");
    fields.splice(1, 0, ["ActionID", actionId]);
  }
  return serializeFields(fields);
}

/** Copy of the fields with secret values masked, for logs. */
export function maskSecrets(fields: readonly AmiField[]): AmiField[] {
  return fields.map(([k, v]) => (SECRET_KEYS.has(k.toLowerCase()) ? [k, "********"] : [k, v]));
}
