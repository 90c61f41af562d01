import { AmiMessage, type AmiField } from "@asterisk-b24/ami";
import type { Recording } from "./types.js";

/**
 * A variant of a recorded call in which some phones are other extensions (e.g. 101–103 → 201–203,
 * extensions that are no Bitrix24 user): every header value that names the extension — `CallerIDNum`
 * 101, `Exten` 101, channel `PJSIP/101-0000002a`, interface `PJSIP/101`, `Local/101@from-internal`,
 * a Dial's `PJSIP/101,30` — is renamed; digits that belong to a longer number or an id
 * (`1795257459.101`, `79161010101`) are left alone. The variant is labelled in its name
 * (`NAME~variant`) and description: it is derived from a real recording, not a capture.
 */
export function renameExtensions(rec: Recording, rename: Readonly<Record<string, string>>, variant = "renamed"): Recording {
  const entries = Object.entries(rename);
  for (const [from, to] of entries) if (!/^\d+$/.test(from) || !/^\d+$/.test(to)) throw new Error(`renameExtensions: extensions are digits (${from} → ${to})`);
  const pattern = new RegExp(`(?<![\\d.])(${entries.map(([from]) => from).join("|")})(?![\\d])`, "g");
  const value = (v: string) => (entries.length ? v.replace(pattern, (ext: string) => rename[ext]!) : v);
  const messages = rec.messages.map(({ t, message }) => ({ t, message: new AmiMessage(message.fields.map(([k, v]) => [k, value(v)] as AmiField)) }));
  return {
    ...rec,
    name: `${rec.name}~${variant}`,
    messages,
    description: `${variant} variant of ${rec.name} (extensions ${entries.map(([a, b]) => `${a}→${b}`).join(", ")}), derived from the real recording\n\n${rec.description}`,
  };
}
