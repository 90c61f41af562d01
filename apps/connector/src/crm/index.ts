/** Bitrix24 client of the connector: batched, queued (BullMQ), shared-limit, retrying. */
export { B24Client, type B24ClientOptions, type ChainResult, type ChainOutcome, type SubmitOptions } from "./client.js";
export type { ChainCommand } from "./batcher.js";
export { MAX_BATCH_COMMANDS } from "./batcher.js";
export type { B24AuthMode, AuthContext, PreparedAuth } from "./auth/types.js";
export { WebhookAuth, webhookAuth, redactWebhook } from "./auth/webhook.js";
export { OAuthAuth, oauthAuth, type OAuthAuthOptions, type OAuthTokens } from "./auth/oauth.js";
export { GatewayAuth, gatewayAuth } from "./auth/gateway.js";
export type { LimiterConfig } from "./limiter.js";
export type { OperatingConfig } from "./operating.js";
export type { RetryConfig } from "./retry-policy.js";
export type { QueueConfig } from "./queue.js";
export { HttpTransport, type Transport, type TransportRequest, type B24Envelope, type B24Time } from "./transport.js";
export {
  B24Error,
  B24BusinessError,
  B24AuthError,
  B24TokenExpiredError,
  B24RateLimitError,
  B24OperatingLimitError,
  B24ServerError,
  B24TransportError,
  B24TimeoutError,
  B24ClientClosedError,
  type SerializedB24Error,
} from "./errors.js";
