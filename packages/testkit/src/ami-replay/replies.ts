import type { AmiField, AmiMessage } from "@asterisk-b24/ami";

/** Reply builders shaped like Asterisk 22's (ActionID right after Response, only if given). */

export function response(status: string, actionId: string | undefined, ...rest: AmiField[]): AmiField[] {
  const fields: AmiField[] = [["Response", status]];
  if (actionId !== undefined) fields.push(["ActionID", actionId]);
  return fields.concat(rest);
}

export function errorReply(actionId: string | undefined, message: string): AmiField[] {
  return response("Error", actionId, ["Message", message]);
}

export function pong(actionId: string | undefined, nowMs = Date.now()): AmiField[] {
  const sec = Math.floor(nowMs / 1000);
  const usec = String((nowMs % 1000) * 1000).padStart(6, "0");
  return response("Success", actionId, ["Ping", "Pong"], ["Timestamp", `${sec}.${usec}`]);
}

export type CommandFormat = "modern" | "legacy";

/**
 * `Command` reply. "modern" = Asterisk 14+ (`Message: Command output follows` + `Output:`
 * headers); "legacy" = Asterisk <= 13 (`Response: Follows`, raw lines, `--END COMMAND--`).
 * Returns the exact wire text.
 */
export function commandReply(format: CommandFormat, actionId: string | undefined, output: string, known: boolean): string {
  const lines = output.split("\n");
  if (format === "legacy") {
    let text = "Response: Follows\r\nPrivilege: Command\r\n";
    if (actionId !== undefined) text += `ActionID: ${actionId}\r\n`;
    return text + lines.map((l) => l + "\n").join("") + "--END COMMAND--\r\n\r\n";
  }
  const fields = response(known ? "Success" : "Error", actionId, ["Message", "Command output follows"]);
  for (const l of lines) fields.push(["Output", l]);
  let text = "";
  for (const [k, v] of fields) text += `${k}: ${v}\r\n`;
  return text + "\r\n";
}

/** `OriginateResponse` event for a synthetic (non-recorded) Originate: answered, Reason 4. */
export function originateResponse(action: AmiMessage, actionId: string | undefined): AmiField[] {
  const fields: AmiField[] = [
    ["Event", "OriginateResponse"],
    ["Privilege", "call,all"],
  ];
  if (actionId !== undefined) fields.push(["ActionID", actionId]);
  fields.push(["Response", "Success"], ["Channel", action.get("Channel") ?? ""]);
  if (action.has("Application")) fields.push(["Application", action.get("Application")!], ["Data", action.get("Data") ?? ""]);
  else fields.push(["Context", action.get("Context") ?? ""], ["Exten", action.get("Exten") ?? ""]);
  const callerId = action.get("CallerID") ?? "";
  const m = /^\s*"?([^"<]*)"?\s*<([^>]*)>\s*$/.exec(callerId);
  fields.push(
    ["Reason", "4"],
    ["Uniqueid", action.get("ChannelId") ?? "<unknown>"],
    ["CallerIDNum", m ? m[2]! : callerId || "<unknown>"],
    ["CallerIDName", m ? m[1]!.trim() || "<unknown>" : "<unknown>"],
  );
  return fields;
}

export const DEFAULT_COMMAND_OUTPUTS: Readonly<Record<string, string>> = {
  "core show version": "Asterisk 22.10.1 built by replay @ testkit on a x86_64 running Linux",
  "core show uptime": "System uptime: 1 minute, 2 seconds\nLast reload: 1 minute, 2 seconds",
};
