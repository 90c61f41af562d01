import type { Logger } from "pino";
import { B24AuthError } from "./errors.js";
import type { B24Port } from "./port.js";

/**
 * External lines (DIDs) registered with their names at start (telephony.externalLine.add); a line
 * that already exists gets its name updated. A refusal is logged, never fatal.
 */
export async function registerExternalLines(port: B24Port, lines: Record<string, string>, crmCreate: boolean, log: Logger): Promise<void> {
  for (const [number, name] of Object.entries(lines)) {
    try {
      await port.call("telephony.externalLine.add", { NUMBER: number, NAME: name, CRM_AUTO_CREATE: crmCreate ? "Y" : "N" });
    } catch (err) {
      const text = (err as { description?: string }).description ?? (err as Error).message;
      if (err instanceof B24AuthError) throw err; // retried in the background once the credential is fixed
      if (!/already exists/i.test(text)) log.warn({ line: number, err: text }, "external line not registered");
      else await port.call("telephony.externalLine.update", { NUMBER: number, NAME: name }).catch(() => undefined);
    }
  }
}
