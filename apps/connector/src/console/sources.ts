import type { ConnectorConfig } from "../config/index.js";
import type { StatusRegistry } from "../http/status.js";
import type { Journal } from "../journal/index.js";
import type { RecordingLookup } from "../recordings/index.js";
import type { CallRecord } from "../tracker/model.js";
import type { CachedUser, UsersCacheSnapshot } from "../directory/users-cache.js";

/**
 * What the console reads from the running connector. The Connector satisfies it as it is; the
 * console never changes the connector's state except through the actions it offers.
 */
export interface ConsoleSources {
  config: ConnectorConfig;
  status: StatusRegistry;
  journal: Journal;
  outbox: { readAll(callKey: string): Promise<unknown[]>; pendingCount(): Promise<number> };
  engine: { readonly state: { readonly calls: Readonly<Record<string, CallRecord>> }; readonly activeCalls: number; readonly pbxClockSkewMs?: number | undefined };
  pool: { readonly activeCalls: number };
  users: { list(): CachedUser[]; snapshot(): UsersCacheSnapshot };
  b24: { queueCounts(): Promise<{ waiting: number; active: number; delayed: number; completed: number; failed: number }> };
  gateway: { call(method: string, params?: Record<string, unknown>): Promise<unknown> };
  redis: { ping(): Promise<string> };
  recordingLookup: RecordingLookup | undefined;
}
