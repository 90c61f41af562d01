/** The b24-app: install, credential keeper, REST gateway, click-to-call relay (docs/b24-app.md). */
export { B24App, installUrl, appPageUrl, eventHandlerUrl, createCredential, EVENTS_PATH, INSTALL_PATH, GATEWAY_PATH, APP_PAGE_PATH, type B24AppOptions } from "./app.js";
export { b24AppConfigSchema, parseB24AppConfig, loadB24AppConfig, B24AppConfigError, type B24AppConfig, type B24AppConfigInput } from "./config.js";
export { ConnectorTokens, generateTokenKeys, readTokenKeys, TOKEN_AUDIENCE, type TokenKeys, type VerifiedToken } from "./tokens.js";
export { AppStore, type InstallRecord, type IssuedToken, type AuditEntry, type OAuthPair } from "./store.js";
export { CONNECTOR_SCOPES, expandScopes, methodAllowed, batchMethods } from "./scopes.js";
export { ClickToCallQueue, CLICK_TO_CALL_EVENTS, type ClickToCallJob, type ClickToCallEventName } from "./event-queue.js";
export { applicationTokenMatches } from "./app-token.js";
export { parseInstallRequest, bindEvents } from "./install.js";
export { OfflinePoller } from "./offline-poller.js";
export { PortalClient } from "./portal-client.js";
export { OAuthCredential, WebhookCredential, type PortalCredential } from "./portal-credential.js";
export { runCli, CliUsageError } from "./cli.js";
export * from "./errors.js";
export { createLogger, silentLogger } from "./log.js";
export { FrameAuth, FrameAuthError, type FrameUser } from "./frame-auth.js";
export { ConnectorLink, ConnectorUnavailableError } from "./connector-link.js";
export { ADMIN_API_PATH } from "./admin-api.js";
export { CALL_CARD_PATH, placementSpecs, bindPlacements } from "./placements.js";
