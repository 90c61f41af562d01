import type { AmiField } from "./message.js";

/**
 * Wire form of a message: `Key: Value\r\n` per header, then a blank line. No validation:
 * use `serializeAction` for anything built from outside input (it refuses CR/LF).
 */
export function serializeFields(fields: readonly AmiField[]): string {
  let out = "";
  for (const [k, v] of fields) out += k + ": " + v + "\r\n";
  return out + "\r\n";
}
