import type { ConnectorConfig } from "../../config/index.js";
import { gatewayAuth } from "./gateway.js";
import { oauthAuth } from "./oauth.js";
import type { B24AuthMode } from "./types.js";
import { webhookAuth } from "./webhook.js";

/** The portal's host: `b24.portal`, else the host of the configured auth URL. */
export function portalOf(config: ConnectorConfig): string {
  if (config.b24.portal) return config.b24.portal;
  const a = config.b24.auth;
  const url = a.mode === "webhook" ? a.webhookUrl : a.mode === "gateway" ? a.gatewayUrl : a.portalUrl;
  return new URL(url).host;
}

/** The auth mode `b24.auth` describes (oauth: the token pair from the file seeds Redis on first start). */
export function authFromConfig(config: ConnectorConfig): B24AuthMode {
  const auth = config.b24.auth;
  if (auth.mode === "webhook") return webhookAuth(auth.webhookUrl);
  if (auth.mode === "gateway") return gatewayAuth(auth.gatewayUrl, auth.token);
  const restUrl = new URL("/rest/", auth.portalUrl).toString();
  return oauthAuth({
    restUrl,
    tokenUrl: auth.oauthServerUrl,
    clientId: auth.clientId,
    clientSecret: auth.clientSecret,
    ...(auth.refreshToken ? { initialTokens: { accessToken: auth.accessToken ?? "", refreshToken: auth.refreshToken, expires: 0 } } : {}),
  });
}
