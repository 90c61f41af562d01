import type { Logger } from "pino";
import type { LicenseGuard } from "@asterisk-b24/license";
import type { ConnectorConfig } from "../config/index.js";
import type { HookRunner } from "../hooks/index.js";
import type { Metrics } from "../http/metrics.js";
import type { Journal } from "../journal/index.js";
import type { RecordingLookup } from "../recordings/db-lookup.js";
import type { CrmGateway } from "./b24-client-port.js";
import type { CrmStateStore } from "./crm-state.js";
import type { ExtensionMap } from "./parts/extension-map.js";
import type { Lists } from "./parts/lists.js";
import type { UsersCache } from "./parts/users-cache.js";

/** Everything the stage pipeline talks to; built once by the service (or a test). */
export interface PipelineDeps {
  config: ConnectorConfig;
  gateway: CrmGateway;
  users: UsersCache;
  hooks: HookRunner;
  journal: Journal;
  crmState: CrmStateStore;
  extensionMap: ExtensionMap;
  lists: Lists;
  recordingLookup?: RecordingLookup;
  /** Licence limits: new calls and operators beyond them are not served. */
  license?: LicenseGuard;
  logger: Logger;
  metrics?: Metrics;
  now?: () => number;
  /** Aborted when the connector stops: long waits (a recording still being written) give up and the stage stays pending. */
  stopSignal?: AbortSignal;
}
