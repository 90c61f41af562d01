/**
 * A strict Bitrix24 REST emulator for tests and the demo, faithful to docs/bitrix24-rest.md (shared fact sheet).
 *
 *   const emu = await startB24Emulator({ webhook: { userId: 1, code: "abc" }, users: [...] });
 *   await fetch(`${emu.webhookUrl}telephony.externalcall.register.json`, { ... });
 *   emu.calls(); await emu.close();
 */

export type * from "./types.js";
export type { OAuthTokenResponse } from "./auth.js";
export type { DeliveryResult } from "./methods/events.js";
export type { ClickToCallInput } from "./methods/telephony.js";
export { buildPhpQuery, parsePhpQuery, phpTruthy } from "./php-query.js";
export { restCall, type RestReply, type RestCallOptions } from "./client.js";
export { B24Emulator, type EmulatorEvent } from "./emulator.js";
export { startB24Emulator } from "./start.js";
