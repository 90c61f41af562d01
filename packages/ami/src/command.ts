import type { AmiMessage } from "./message.js";

/**
 * Output lines of a `Command` reply, whatever the Asterisk version: 14+ sends `Output:` headers,
 * <= 13 sends `Response: Follows` with raw lines, which the parser turns into `Output` headers.
 */
export function commandOutput(reply: AmiMessage): string[] {
  return reply.getAll("Output");
}

/** True when the reply is the Asterisk <= 13 (`Response: Follows`) format. */
export function isLegacyCommandReply(reply: AmiMessage): boolean {
  return reply.response?.toLowerCase() === "follows";
}
