export { AmiMessage, type AmiField } from "./message.js";
export {
  AmiError,
  AmiParseError,
  AmiActionValueError,
  AmiActionTimeoutError,
  AmiDisconnectedError,
  AmiLoginError,
  type AmiParseErrorReason,
  type AmiActionValueErrorReason,
  type AmiDisconnectReason,
} from "./errors.js";
export { LineFramer } from "./framer.js";
export { parseGreeting, type AmiGreeting } from "./greeting.js";
export { AmiParser, type AmiParserHandlers, type AmiParserOptions } from "./parser.js";
export { serializeFields } from "./serialize.js";
export {
  actionFields,
  validateActionFields,
  serializeAction,
  maskSecrets,
  SECRET_KEYS,
  type AmiActionInput,
  type AmiActionObject,
  type AmiActionValue,
  type AmiActionScalar,
} from "./action.js";
export { commandOutput, isLegacyCommandReply } from "./command.js";
export { ActionIdGenerator } from "./action-id.js";
export type { AmiActionResult } from "./result.js";
export { ActionCorrelator } from "./correlator.js";
export { backoffDelay, Backoff, type BackoffOptions } from "./backoff.js";
export { Keepalive, type KeepaliveOptions, type KeepaliveHooks } from "./keepalive.js";
export { EventQueue, type EventQueueOptions, type AmiMessageHandler } from "./event-queue.js";
export { silentLogger, type AmiLogger } from "./logger.js";
export {
  AmiClient,
  type AmiClientOptions,
  type AmiClientState,
  type AmiClientEvents,
  type AmiConnectedInfo,
  type AmiDisconnectedInfo,
  type AmiReconnectingInfo,
  type AmiActionOptions,
  type AmiClientStats,
} from "./client.js";
