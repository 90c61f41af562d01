import type { Logger } from "pino";
import type { LicenseGuard } from "@asterisk-b24/license";
import type { ConnectorConfig } from "../config/index.js";
import type { CrmGateway } from "../crm/gateway.js";
import type { CredentialUser } from "../directory/credential-user.js";
import type { ExtensionMap } from "../directory/extension-map.js";
import type { Lists } from "../directory/lists.js";
import type { UsersCache } from "../directory/users-cache.js";
import type { CallStage, HookRunner } from "../hooks/index.js";
import type { Metrics } from "../http/metrics.js";
import type { Journal } from "../journal/index.js";
import type { RecordingLookup } from "../recordings/db-lookup.js";
import type { CallFull, StageEvent } from "../tracker/index.js";
import type { CrmCallState, CrmStateStore } from "./crm-state.js";
import type { UnownedStats } from "./unowned-stats.js";
import { hookCallFull } from "./hook-view.js";

/** What the stages write to the call journal. */
export type StageJournal = Pick<Journal, "record" | "update" | "fail">;
/** Where the stages keep each call's CRM state. */
export type CrmStates = Pick<CrmStateStore, "load" | "save">;
/** The Bitrix24 users the stages look up. */
export type StageUsers = Pick<UsersCache, "byId" | "find" | "findFresh" | "isActive" | "loaded" | "refresh">;

/** Everything the stages talk to; built once by the composition root (or a test, with fakes). */
export interface StageDeps {
  config: ConnectorConfig;
  gateway: CrmGateway;
  users: StageUsers;
  hooks: HookRunner;
  journal: StageJournal;
  crmState: CrmStates;
  extensionMap: ExtensionMap;
  lists: Lists;
  /** The portal user of the connector's credential: where a call nobody owns lands (unowned.ts). */
  credentialUser: Pick<CredentialUser, "get">;
  /** Durable counts of the calls nobody owned. */
  unownedStats: Pick<UnownedStats, "count">;
  recordingLookup?: RecordingLookup;
  /** Licence limits: new calls and operators beyond them are not served. */
  license?: LicenseGuard;
  logger: Logger;
  metrics?: Metrics;
  now?: () => number;
  /** Aborted when the connector stops: long waits (a recording still being written) give up and the stage stays pending. */
  stopSignal?: AbortSignal;
}

/** The stage dependencies with the whole journal and CRM state store (the connector's own; reprocessing reads them back). */
export type LiveStageDeps = Omit<StageDeps, "journal" | "crmState"> & { journal: Journal; crmState: CrmStateStore };

export type Conversation = CallFull["conversations"][string];

/**
 * One stage event of one call: what every stage works on — the dependencies, the event with the
 * call snapshot, and the call's CRM state (saved by the runner after the stage).
 */
export class StageStep {
  constructor(
    readonly deps: StageDeps,
    readonly callKey: string,
    readonly index: number,
    readonly ev: StageEvent,
    readonly crm: CrmCallState,
  ) {}

  get call(): CallFull {
    return this.ev.call;
  }
  get cfg(): ConnectorConfig {
    return this.deps.config;
  }
  get stage(): CallStage {
    return this.ev.stage;
  }
  /** The conversation a conversation_* event is about (undefined for call_ended). */
  get conversationId(): string | undefined {
    return "conversationId" in this.ev ? this.ev.conversationId : undefined;
  }
  /** Deterministic submission id of one step of this stage (a restart joins instead of repeating). */
  id(step: string): string {
    return `${this.callKey}:${this.index}:${step}`;
  }
  now(): Date {
    return new Date(this.deps.now?.() ?? Date.now());
  }
  hookCall() {
    return hookCallFull(this.call, this.crm, (id) => this.deps.users.byId(id));
  }
  async save(): Promise<void> {
    await this.deps.crmState.save(this.callKey, this.crm);
  }
}
