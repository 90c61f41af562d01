import { pino } from "pino";
import { parseConfig, type ConnectorConfigInput } from "../../src/config/index.js";
import { B24BusinessError, type ChainCommand, type ChainResult } from "../../src/crm/index.js";
import type { CrmGateway } from "../../src/crm/gateway.js";
import { createExtensionMap } from "../../src/directory/extension-map.js";
import { createLists } from "../../src/directory/lists.js";
import { UsersCache } from "../../src/directory/users-cache.js";
import { createHookRunner } from "../../src/hooks/index.js";
import { emptyCrmState, type CrmCallState } from "../../src/stages/crm-state.js";
import type { StageDeps, StageJournal } from "../../src/stages/step.js";
import type { UnownedOutcome } from "../../src/stages/unowned-stats.js";
import type { CredentialUserRecord } from "../../src/directory/credential-user.js";
import { FakePort, userGetHandler } from "./fake-port.js";

const USERS = [
  { ID: 1, NAME: "Ivan", LAST_NAME: "Petrov", UF_PHONE_INNER: "101", ACTIVE: true },
  { ID: 2, NAME: "Maria", LAST_NAME: "Ivanova", UF_PHONE_INNER: "102", ACTIVE: true },
  { ID: 3, NAME: "Sergey", LAST_NAME: "Smirnov", UF_PHONE_INNER: "103", ACTIVE: true },
];

/** Answers of the fake CRM per method; a method in `refuse` fails with a business error. */
const ANSWERS: Record<string, (params: Record<string, unknown>) => unknown> = {
  "telephony.externalcall.register": (p) => ({ CALL_ID: `CALL-${String(p.EXTERNAL_CALL_ID)}`, CRM_ENTITY_TYPE: "CONTACT", CRM_ENTITY_ID: 7 }),
  "telephony.externalcall.show": () => true,
  "telephony.externalcall.hide": () => true,
  "telephony.externalcall.finish": () => ({ CRM_ACTIVITY_ID: 55 }),
  "telephony.externalcall.searchCrmEntities": () => [{ CRM_ENTITY_TYPE: "CONTACT", CRM_ENTITY_ID: 7, ASSIGNED_BY_ID: 3 }],
  "crm.activity.update": () => true,
  "tasks.task.add": () => ({ task: { id: 1 } }),
  "im.notify.system.add": () => 1,
};

/** A CRM gateway that answers chains in memory and keeps every command it was sent. */
export class FakeCrmGateway implements CrmGateway {
  readonly sent: Array<{ id: string | undefined; commands: ChainCommand[] }> = [];
  readonly refuse = new Set<string>();
  /** Per-method answers (a test may replace one, e.g. a number no CRM entity has). */
  readonly answers: Record<string, (params: Record<string, unknown>) => unknown> = { ...ANSWERS };
  readonly port: FakePort;
  constructor(users: ReadonlyArray<(typeof USERS)[number]> = USERS) {
    this.port = new FakePort({ "user.get": userGetHandler(() => [...users]) });
  }

  async chain(commands: ChainCommand[], id?: string): Promise<ChainResult> {
    this.sent.push({ id, commands });
    const out: ChainResult = {};
    for (const c of commands) {
      if (this.refuse.has(c.method))
        out[c.name] = { ok: false, error: new B24BusinessError({ code: "ERROR_CORE", description: `${c.method} refused`, status: 400, method: c.method }) };
      else out[c.name] = { ok: true, result: this.answers[c.method]?.(c.params ?? {}) ?? true };
    }
    return out;
  }
  call<T>(method: string, params: Record<string, unknown>): Promise<T> {
    return this.port.call<T>(method, params);
  }
  callRaw<T>(method: string, params: Record<string, unknown>) {
    return this.port.callRaw<T>(method, params);
  }
  async upload<T>(): Promise<T> {
    throw new Error("FakeCrmGateway: no uploads");
  }
  /** Every command sent, in order, as `method`. */
  methods(): string[] {
    return this.sent.flatMap((s) => s.commands.map((c) => c.method));
  }
  commands(method: string): ChainCommand[] {
    return this.sent.flatMap((s) => s.commands.filter((c) => c.method === method));
  }
}

/** The journal in memory: what the stages recorded and the last status per call. */
export class FakeJournal implements StageJournal {
  readonly entries: Array<{ callKey: string; entry: unknown }> = [];
  readonly fields = new Map<string, Record<string, unknown>>();
  async record(callKey: string, entry: Parameters<StageJournal["record"]>[1]): Promise<void> {
    this.entries.push({ callKey, entry });
  }
  async update(callKey: string, fields: Parameters<StageJournal["update"]>[1]): Promise<void> {
    this.fields.set(callKey, { ...this.fields.get(callKey), ...fields });
  }
  async fail(callKey: string, reason: string): Promise<void> {
    this.fields.set(callKey, { ...this.fields.get(callKey), status: "failed", reason });
  }
}

export class FakeCrmStates {
  readonly states = new Map<string, CrmCallState>();
  async load(callKey: string): Promise<CrmCallState> {
    return structuredClone(this.states.get(callKey) ?? emptyCrmState());
  }
  async save(callKey: string, state: CrmCallState): Promise<void> {
    this.states.set(callKey, structuredClone(state));
  }
}

/** The credential's portal user (`user.current`): user 9, an administrator without an extension. */
export class FakeCredentialUser {
  user: CredentialUserRecord | Error = { id: 9, name: "Portal Admin", resolvedAt: 0 };
  asked = 0;
  async get(): Promise<CredentialUserRecord> {
    this.asked++;
    if (this.user instanceof Error) throw this.user;
    return this.user;
  }
}

/** Unowned-call counts in memory, once per call as the Redis store counts them. */
export class FakeUnownedStats {
  readonly byCall = new Map<string, UnownedOutcome>();
  async count(callKey: string, outcome: UnownedOutcome): Promise<boolean> {
    if (this.byCall.has(callKey)) return false;
    this.byCall.set(callKey, outcome);
    return true;
  }
}

export interface FakeStageDeps extends StageDeps {
  gateway: FakeCrmGateway;
  journal: FakeJournal;
  crmState: FakeCrmStates;
  credentialUser: FakeCredentialUser;
  unownedStats: FakeUnownedStats;
}

/** StageDeps over in-memory fakes: a config from `extra` (over a minimal file), users 101–103 = 1–3. */
export async function fakeStageDeps(extra: Partial<ConnectorConfigInput> = {}, o: { users?: ReadonlyArray<(typeof USERS)[number]> } = {}): Promise<FakeStageDeps> {
  // Recordings are record.ts's own concern (files on disk): off here unless asked for.
  const config = parseConfig(
    { ami: { username: "crm", secret: "s" }, b24: { auth: { mode: "webhook", webhookUrl: "https://b24.example/rest/1/abc/" } }, recordings: { enabled: false }, ...extra },
    "test",
    {},
  );
  const gateway = new FakeCrmGateway(o.users);
  const users = new UsersCache({ port: gateway.port, refreshIntervalMs: 0 });
  await users.refresh();
  return {
    config,
    gateway,
    users,
    hooks: createHookRunner({}),
    journal: new FakeJournal(),
    crmState: new FakeCrmStates(),
    credentialUser: new FakeCredentialUser(),
    unownedStats: new FakeUnownedStats(),
    extensionMap: createExtensionMap({ explicit: config.product.extensionMap, rules: config.product.extensionRules }),
    lists: createLists({ blacklist: config.product.blacklist, whitelist: config.product.whitelist, phoneRules: config.product.phone }),
    logger: pino({ level: "silent" }),
    now: () => Date.parse("2026-01-15T10:00:00Z"),
  };
}
