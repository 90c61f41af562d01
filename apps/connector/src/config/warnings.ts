import type { ConnectorConfig } from "./schema.js";

/** A setting that is valid but probably not what the administrator wants. */
export interface ConfigWarning {
  path: string;
  message: string;
}

/** What `check-config` (and the console's check) points out in a valid configuration. */
export function configWarnings(config: ConnectorConfig): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  const r = config.responsible;
  if (r.defaultUserId === undefined) {
    out.push({
      path: "responsible.defaultUserId",
      message: r.fallbackToCredentialUser
        ? "not set: calls nobody owns (no CRM user rang or answered, no entity owner) land on the Bitrix24 user of the connector's credential (webhook owner / the administrator who installed the b24-app); set it to choose who gets them"
        : "not set and responsible.fallbackToCredentialUser is off: calls nobody owns are NOT registered in Bitrix24 (journalled as failed, counted in /status)",
    });
  }
  return out;
}
