/**
 * Stage events → Bitrix24 requests, one call at a time, in order (the worker pool guarantees
 * it). Each stage reads the call's CRM state, does its requests through the batched client with
 * deterministic ids (a restart joins instead of repeating), and saves the state.
 *
 *   conversation_requested  register (first CRM conversation) [+ show, card on ringing] · show
 *   conversation_accepted   show to the one who answered (card on answer)
 *   conversation_ended      hide for a manager whose phone only rang (ringall losers)
 *   call_ended              finish (responsible, STATUS_CODE, talk time) · recording ·
 *                           activity / entity hooks · missed-call task · notices · journal
 */
import { hookCallFull } from "./hook-view.js";
import { emptyCrmState, type CrmCallState } from "./crm-state.js";
import { outcomeOf, sendChain } from "./crm-requests.js";
import type { PipelineDeps } from "./deps.js";
import { normaliseClientNumber } from "./parts/phone.js";
import { chooseResponsible, type ConversationFact } from "./parts/responsible.js";
import { buildMissedCallTask } from "./parts/tasks.js";
import { buildActivityUpdate, callKind } from "./parts/activity.js";
import { crmRef } from "./parts/crm-binding.js";
import type { CachedUser } from "./parts/users-cache.js";
import { formatB24DateTime } from "./parts/datetime.js";
import { toB24Status } from "./parts/status-code.js";
import { attachRecording } from "./record.js";
import { claimRegistered, crmCallIndexFor, deferDeduplicated, registerRequestId, waitOutDedup } from "./register-dedup.js";
import type { CallStage } from "../hooks/index.js";
import type { CallFull, StageEvent } from "../tracker/index.js";

type Conversation = CallFull["conversations"][string];

/**
 * Bitrix24 STATUS_CODE. Answered: 200; missed inbound: 304. An outgoing call that did not
 * connect is told apart by what Asterisk said about the dialled trunk leg (DIALSTATUS, then the
 * Q.850 cause; tables in parts/status-code.ts); without a trunk leg (a click-to-call whose
 * manager did not pick up) the tracker's SIP-style result decides.
 */
export function statusCodeFor(call: CallFull): string {
  const answered = call.result === 200;
  const direction = call.direction === "outbound" ? "outbound" : "inbound";
  const trunkLeg = [...call.channels].reverse().find((c) => c.extra.kind === "trunk" && c.extra.origin !== "incoming");
  if (answered || direction === "inbound" || trunkLeg) {
    return toB24Status({ direction, answered, dialStatus: trunkLeg?.extra.dial_status || undefined, hangupCause: trunkLeg?.extra.cause ?? undefined }).statusCode;
  }
  const r = call.result;
  if (r === 603) return "603-S";
  return [486, 480, 484, 503, 404, 403].includes(r) ? String(r) : "480";
}

export class CallPipeline {
  readonly #now: () => number;

  constructor(readonly deps: PipelineDeps) {
    this.#now = deps.now ?? Date.now;
  }

  /** The worker pool's handler: one stage event of one call. */
  async handle(callKey: string, stage: unknown, index: number): Promise<void> {
    const ev = stage as StageEvent;
    const crm = await this.deps.crmState.load(callKey);
    const step = new StageStep(this.deps, callKey, index, ev, crm);
    await step.run();
    await this.deps.crmState.save(callKey, crm);
  }
}

/** One stage of one call: the state it works on and the steps it may take. */
export class StageStep {
  constructor(
    readonly deps: PipelineDeps,
    readonly callKey: string,
    readonly index: number,
    readonly ev: StageEvent,
    readonly crm: CrmCallState,
  ) {}

  get call(): CallFull {
    return this.ev.call;
  }
  get cfg() {
    return this.deps.config;
  }
  get stage(): CallStage {
    return this.ev.stage;
  }
  id(step: string): string {
    return `${this.callKey}:${this.index}:${step}`;
  }
  hookCall() {
    return hookCallFull(this.call, this.crm, (id) => this.deps.users.byId(id));
  }
  async save(): Promise<void> {
    await this.deps.crmState.save(this.callKey, this.crm);
  }

  async run(): Promise<void> {
    const { journal } = this.deps;
    await journal.record(this.callKey, { kind: "stage", stage: this.stage, text: "conversationId" in this.ev ? this.ev.conversationId : undefined });
    if (this.crm.finished) return;
    if (!this.crm.admitted && !this.crm.skipped && !(await this.admit())) {
      if (this.stage === "call_ended") this.crm.finished = true;
      return;
    }
    if (this.stage === "call_ended") {
      await this.callEnded();
      this.deps.license?.endCall(this.callKey);
      return;
    }
    if (this.crm.skipped) return;
    if (this.crm.shown.length === 0 && this.crm.hidden.length === 0 && !this.crm.crmCallId) {
      if (await this.decideSkip()) return;
    }
    const conv = this.call.conversations[(this.ev as { conversationId: string }).conversationId];
    if (!conv || conv.excluded) return;
    if (this.stage === "conversation_requested") return this.requested(conv);
    if (this.stage === "conversation_accepted") return this.accepted(conv);
    return this.ended(conv);
  }

  // ---------------------------------------------------------------------------------------
  // Should this call reach the CRM at all?

  /** A new call is taken only while the licence accepts new calls (calls in progress always continue). */
  async admit(): Promise<boolean> {
    const license = this.deps.license;
    if (license && !license.admitCall(this.callKey)) {
      this.crm.skipped = `licence: ${license.status().message}`;
      await this.deps.journal.update(this.callKey, { status: "skipped", reason: this.crm.skipped, direction: this.call.direction, clientNumber: this.call.client_number });
      this.deps.metrics?.inc("ab24_calls_skipped_total", { reason: "licence" });
      return false;
    }
    this.crm.admitted = true;
    return true;
  }

  async decideSkip(): Promise<boolean> {
    const call = this.call;
    let reason: string | undefined;
    if (call.direction === "internal" && !this.cfg.product.registerInternalCalls) reason = "internal call";
    else if (call.direction === "unknown") reason = "direction unknown (no trunk and no employee)";
    else if (!call.click_to_call?.crm_call_id) {
      const ext = call.rang_extensions[0] ?? "";
      const decision = this.deps.lists.shouldRegister({ extension: ext, trunk: call.trunk_name, clientNumber: call.client_number });
      if (!decision.register) reason = `black/white list: ${decision.reason}${decision.matched ? ` (${decision.matched})` : ""}`;
    }
    if (!reason && this.deps.hooks.isEnabled("need_registration")) {
      const r = await this.deps.hooks.run("need_registration", { call_full: this.hookCall(), call_stage: this.stage });
      if (r.outcome === "cancelled" || ((r.outcome === "applied" || r.outcome === "default") && r.data.result === false)) reason = "need_registration hook said no";
    }
    if (!reason) return false;
    this.crm.skipped = reason;
    await this.deps.journal.update(this.callKey, { status: "skipped", reason, direction: call.direction, clientNumber: call.client_number, lineNumber: call.line_number });
    this.deps.metrics?.inc("ab24_calls_skipped_total", { reason: reason.split(":")[0]! });
    return true;
  }

  // ---------------------------------------------------------------------------------------
  // Users

  /** The Bitrix24 user behind an extension (process_user_phone hook → extension map → users cache). */
  async userFor(ext: string): Promise<CachedUser | undefined> {
    if (!ext) return undefined;
    if (ext in this.crm.users) {
      const id = this.crm.users[ext];
      return id ? this.deps.users.byId(id) : undefined;
    }
    let phone = ext;
    if (this.deps.hooks.isEnabled("process_user_phone")) {
      const r = await this.deps.hooks.run("process_user_phone", { phone: ext, call_full: this.hookCall(), call_stage: this.stage });
      if (r.outcome === "applied" && r.data.phone) phone = r.data.phone;
    }
    const inner = this.deps.extensionMap.toB24(phone);
    if (this.deps.license && !this.deps.license.isOperatorAllowed(inner)) {
      this.crm.users[ext] = null;
      await this.deps.journal.record(this.callKey, { kind: "note", text: `operator ${inner} is over the licensed number of operators: not served` });
      return undefined;
    }
    const user = this.deps.users.find(inner) ?? (await this.deps.users.findFresh(inner));
    this.crm.users[ext] = user?.id ?? null;
    if (!user) await this.deps.journal.record(this.callKey, { kind: "note", text: `extension ${ext} has no Bitrix24 user (UF_PHONE_INNER ${inner})` });
    return user;
  }

  /** Click-to-call: Bitrix24 showed the card to the manager who clicked; never a second one. */
  portalShowsCard(conv: Conversation): boolean {
    return !!this.call.click_to_call?.crm_call_id && conv.role === "caller";
  }

  cardModeFor(ext: string): "ringing" | "answer" | "never" {
    return this.cfg.product.cardModeByExtension[ext] ?? this.cfg.product.cardMode;
  }

  async clientPhone(): Promise<string> {
    let phone = this.call.client_number;
    if (this.deps.hooks.isEnabled("process_client_phone")) {
      const r = await this.deps.hooks.run("process_client_phone", { phone, call_full: this.hookCall(), call_stage: this.stage });
      if (r.outcome === "applied" && r.data.phone) return r.data.phone;
    }
    phone = normaliseClientNumber(phone, this.cfg.product.phone);
    return phone;
  }

  // ---------------------------------------------------------------------------------------
  // Registration

  crmSource(): string | undefined {
    const bySource = this.cfg.product.crmSourceByLine;
    return bySource[this.call.line_number] ?? bySource[this.call.did] ?? bySource["*"];
  }

  /** Adopts Bitrix24's own CALL_ID for a click-to-call (the portal registered it). */
  async adoptPortalCall(): Promise<boolean> {
    const crmCallId = this.call.click_to_call?.crm_call_id;
    if (!crmCallId || this.crm.crmCallId) return !!this.crm.crmCallId;
    this.crm.crmCallId = crmCallId;
    this.crm.source = "portal";
    await crmCallIndexFor(this.deps).claim(crmCallId, this.callKey);
    await this.deps.journal.update(this.callKey, { crmCallId, direction: this.call.direction, clientNumber: this.call.client_number, lineNumber: this.call.line_number });
    await this.save();
    if (this.deps.hooks.isEnabled("post_registration")) await this.deps.hooks.run("post_registration", { call_full: this.hookCall(), call_stage: this.stage });
    return true;
  }

  /**
   * Registers the call for `user` (once per call). With `showTo`, the card is shown in the same
   * batch (`$result[reg][CALL_ID]`). Returns false when Bitrix24 refused or a hook cancelled.
   */
  async register(user: CachedUser, showTo?: number): Promise<boolean> {
    if (this.crm.crmCallId) return true;
    if (await this.adoptPortalCall()) return true;
    await waitOutDedup(crmCallIndexFor(this.deps), this.crm, this.callKey);
    const call = this.call;
    const base = {
      USER_ID: user.id,
      PHONE_NUMBER: await this.clientPhone(),
      TYPE: (call.direction === "outbound" ? 1 : 2) as 1 | 2,
      CALL_START_DATE: formatB24DateTime(new Date(call.started_at)),
      CRM_CREATE: (this.cfg.product.crmCreate ? 1 : 0) as 0 | 1,
      SHOW: 0 as const,
      ...(call.line_number ? { LINE_NUMBER: call.line_number } : {}),
      ...(this.crmSource() ? { CRM_SOURCE: this.crmSource()! } : {}),
    };
    let params: Record<string, unknown> = base;
    if (this.deps.hooks.isEnabled("process_registration_params")) {
      const r = await this.deps.hooks.run("process_registration_params", { ...base, call_full: this.hookCall(), call_stage: this.stage });
      if (r.outcome === "cancelled") {
        this.crm.skipped = "registration cancelled by customization";
        await this.deps.journal.update(this.callKey, { status: "skipped", reason: this.crm.skipped });
        return false;
      }
      if (r.outcome === "applied") params = { ...r.data };
    }
    // One Bitrix24 call per physical call even if the request is retried: EXTERNAL_CALL_ID.
    params.EXTERNAL_CALL_ID = this.callKey;
    const commands = [{ name: "reg", method: "telephony.externalcall.register", params }];
    let showUser: number | undefined;
    if (showTo !== undefined && showTo === Number(params.USER_ID) && !this.deps.hooks.isEnabled("customize_show_call_card") && params.SHOW === 0) {
      // The card for the registering user travels in the register itself (SHOW=1): one command less.
      params.SHOW = 1;
      showUser = showTo;
    } else if (showTo !== undefined) {
      const show = await this.cardParams("$result[reg][CALL_ID]", showTo);
      if (show) {
        showUser = showTo;
        commands.push({ name: "show", method: "telephony.externalcall.show", params: show });
      }
    }
    const res = await sendChain(this.deps.gateway, this.deps.journal, this.callKey, registerRequestId(this.id("register"), this.crm), commands, this.stage);
    const reg = outcomeOf<{ CALL_ID: string; CRM_ENTITY_TYPE?: string | null; CRM_ENTITY_ID?: number | null; CRM_CREATED_LEAD?: number | null }>(res, "reg");
    if (!reg?.ok) {
      this.crm.registerError = reg ? reg.error.description || reg.error.message : "no answer";
      await this.deps.journal.update(this.callKey, { reason: `register refused: ${this.crm.registerError}`, lastErrorType: reg && !reg.ok ? reg.error.kind : undefined });
      return false;
    }
    if (!(await claimRegistered(crmCallIndexFor(this.deps), this.crm, this.callKey, reg.value.CALL_ID))) return deferDeduplicated(this);
    this.crm.crmCallId = reg.value.CALL_ID;
    this.crm.source = "register";
    this.crm.registeredUserId = Number(params.USER_ID);
    delete this.crm.registerError;
    if (reg.value.CRM_ENTITY_TYPE && reg.value.CRM_ENTITY_ID) {
      this.crm.entityType = reg.value.CRM_ENTITY_TYPE;
      this.crm.entityId = Number(reg.value.CRM_ENTITY_ID);
    } else if (reg.value.CRM_CREATED_LEAD) {
      this.crm.entityType = "LEAD";
      this.crm.entityId = Number(reg.value.CRM_CREATED_LEAD);
    }
    if (showUser !== undefined && (params.SHOW === 1 || outcomeOf(res, "show")?.ok)) this.crm.shown.push(showUser);
    await this.deps.journal.update(this.callKey, {
      crmCallId: this.crm.crmCallId,
      direction: call.direction,
      clientNumber: call.client_number,
      lineNumber: call.line_number,
      ...(this.crm.entityType ? { entityType: this.crm.entityType, entityId: String(this.crm.entityId) } : {}),
    });
    this.deps.metrics?.inc("ab24_registrations_total", { direction: call.direction });
    await this.save();
    if (this.deps.hooks.isEnabled("post_registration")) await this.deps.hooks.run("post_registration", { call_full: this.hookCall(), call_stage: this.stage });
    return true;
  }

  // ---------------------------------------------------------------------------------------
  // Cards

  /** show parameters after customize_show_call_card; undefined = cancelled. */
  async cardParams(callId: string, userId: number): Promise<Record<string, unknown> | undefined> {
    if (!this.deps.hooks.isEnabled("customize_show_call_card")) return { CALL_ID: callId, USER_ID: userId };
    const r = await this.deps.hooks.run("customize_show_call_card", { CALL_ID: callId, USER_ID: userId, call_full: this.hookCall(), call_stage: this.stage });
    if (r.outcome === "cancelled") return undefined;
    if (r.outcome === "applied") return { ...r.data, CALL_ID: callId };
    return { CALL_ID: callId, USER_ID: userId };
  }

  async show(userId: number): Promise<void> {
    if (!this.crm.crmCallId || this.crm.shown.includes(userId)) return;
    const params = await this.cardParams(this.crm.crmCallId, userId);
    if (!params) return;
    const res = await sendChain(this.deps.gateway, this.deps.journal, this.callKey, this.id(`show:${userId}`), [{ name: "show", method: "telephony.externalcall.show", params }], this.stage);
    if (outcomeOf(res, "show")?.ok) {
      this.crm.shown.push(userId);
      this.crm.hidden = this.crm.hidden.filter((u) => u !== userId);
    }
  }

  async hide(userId: number): Promise<void> {
    if (!this.crm.crmCallId || !this.crm.shown.includes(userId) || this.crm.hidden.includes(userId)) return;
    const res = await sendChain(this.deps.gateway, this.deps.journal, this.callKey, this.id(`hide:${userId}`), [{ name: "hide", method: "telephony.externalcall.hide", params: { CALL_ID: this.crm.crmCallId, USER_ID: userId } }], this.stage);
    if (outcomeOf(res, "hide")?.ok) this.crm.hidden.push(userId);
  }

  // ---------------------------------------------------------------------------------------
  // Conversation stages

  async requested(conv: Conversation): Promise<void> {
    if (this.call.click_to_call?.crm_call_id) await this.adoptPortalCall();
    const user = await this.userFor(conv.extension);
    if (!user) return;
    this.crm.lastRungUserId = user.id;
    const mode = this.portalShowsCard(conv) ? "never" : this.cardModeFor(conv.extension);
    const ringingCard = mode === "ringing";
    if (!this.crm.crmCallId) {
      await this.register(user, ringingCard ? user.id : undefined);
      return;
    }
    if (ringingCard) await this.show(user.id);
  }

  async accepted(conv: Conversation): Promise<void> {
    const user = await this.userFor(conv.extension);
    if (!user) return;
    if (!this.crm.answeredUserIds.includes(user.id)) this.crm.answeredUserIds.push(user.id);
    this.crm.lastRungUserId = user.id;
    const mode = this.portalShowsCard(conv) ? "never" : this.cardModeFor(conv.extension);
    if (!this.crm.crmCallId && !(await this.register(user, mode === "never" ? undefined : user.id))) return;
    if (mode !== "never") await this.show(user.id);
  }

  async ended(conv: Conversation): Promise<void> {
    // The card is never closed for a manager who talked; a phone that only rang loses it.
    if (conv.was_accepted) return;
    const uid = this.crm.users[conv.extension];
    if (!uid || this.crm.answeredUserIds.includes(uid)) return;
    // Still ringing on another leg of this call (e.g. a queue's next round)? Keep the card.
    const ringingElsewhere = Object.values(this.call.conversations).some((c) => c !== conv && c.extension === conv.extension && c.state === "requested");
    if (!ringingElsewhere) await this.hide(uid);
  }

  // ---------------------------------------------------------------------------------------
  // End of call

  async callEnded(): Promise<void> {
    const call = this.call;
    const { journal } = this.deps;
    if (call.end_reason === "merged" && call.merged_into) {
      await this.handOver(call.merged_into);
      return;
    }
    if (this.crm.skipped) {
      await journal.update(this.callKey, { status: "skipped", reason: this.crm.skipped });
      this.crm.finished = true;
      return;
    }
    if (!this.crm.crmCallId && (await this.decideSkip())) {
      this.crm.finished = true;
      return;
    }
    const responsible = await this.responsible();
    if (!this.crm.crmCallId) {
      if (!(await this.adoptPortalCall())) {
        // Never registered: missed in the IVR, or nobody with a CRM user rang. Register now.
        const user = responsible ? this.deps.users.byId(responsible) : undefined;
        if (!user || !(await this.register(user))) {
          const reason = this.crm.skipped ?? (user ? `register refused: ${this.crm.registerError ?? "unknown"}` : "no Bitrix24 user to register the call for (set responsible.defaultUserId)");
          if (this.crm.skipped) await journal.update(this.callKey, { status: "skipped", reason });
          else await journal.fail(this.callKey, reason);
          this.crm.finished = true;
          return;
        }
      }
    }
    if (responsible === undefined) {
      await journal.fail(this.callKey, "no responsible Bitrix24 user for finish (set responsible.defaultUserId)");
      this.crm.finished = true;
      return;
    }
    const finished = await this.finish(responsible);
    if (!finished) {
      this.crm.finished = true;
      return;
    }
    await this.afterFinish(finished.activityId, responsible, finished.statusCode);
    this.crm.finished = true;
    await journal.update(this.callKey, {
      status: "delivered",
      responsibleUserId: String(responsible),
      statusCode: finished.statusCode,
      durationSec: String(finished.duration),
      ...(finished.activityId ? { activityId: String(finished.activityId) } : {}),
    });
    this.deps.metrics?.inc("ab24_calls_delivered_total", { direction: call.direction, status: finished.statusCode });
  }

  /** A consultation call merged into another (attended transfer): its CRM state moves along. */
  async handOver(target: string): Promise<void> {
    const other = await this.deps.crmState.load(target);
    if (!other.crmCallId && this.crm.crmCallId && !other.skipped) {
      const merged = { ...emptyCrmState(), ...this.crm, mergedFrom: [...other.mergedFrom, this.callKey], finished: false };
      delete merged.skipped;
      await this.deps.crmState.save(target, merged);
    } else if (this.crm.crmCallId && other.crmCallId !== this.crm.crmCallId) {
      // Both were registered: this one ends here as its own CRM call.
      const responsible = await this.responsible();
      if (responsible !== undefined) await this.finish(responsible);
    }
    this.crm.finished = true;
    await this.deps.journal.update(this.callKey, { status: "delivered", reason: `merged into ${target}` });
  }

  async responsible(): Promise<number | undefined> {
    const call = this.call;
    const convs: ConversationFact[] = [];
    for (const id of Object.keys(call.conversations)) {
      const c = call.conversations[id]!;
      const user = c.excluded ? undefined : await this.userFor(c.extension);
      convs.push({ userId: user?.id, answered: c.was_accepted, nonCrm: c.excluded });
    }
    const answered = convs.some((c) => c.answered && !c.nonCrm && c.userId);
    let entityOwnerId: number | undefined;
    if (!answered && this.cfg.responsible.mode === 0) entityOwnerId = await this.entityOwner();
    const pick = chooseResponsible(
      { answered, conversations: convs, entityOwnerId, line: call.line_number, isActive: (id) => this.deps.users.isActive(id) },
      { mode: this.cfg.responsible.mode, defaultUserId: this.cfg.responsible.defaultUserId, defaultUserByLine: this.cfg.responsible.byLine },
    );
    return pick.userId ?? this.crm.registeredUserId;
  }

  /** ASSIGNED_BY_ID of the client's CRM entity (searchCrmEntities by the client number). */
  async entityOwner(): Promise<number | undefined> {
    if (!this.call.client_number) return undefined;
    const res = await sendChain(this.deps.gateway, this.deps.journal, this.callKey, this.id("owner"), [
      { name: "search", method: "telephony.externalcall.searchCrmEntities", params: { PHONE_NUMBER: await this.clientPhone() } },
    ]);
    const found = outcomeOf<Array<{ CRM_ENTITY_TYPE?: string; CRM_ENTITY_ID?: number; ASSIGNED_BY_ID?: number | string }>>(res, "search");
    if (!found?.ok || !Array.isArray(found.value) || found.value.length === 0) return undefined;
    const first = found.value[0]!;
    if (!this.crm.entityType && first.CRM_ENTITY_TYPE && first.CRM_ENTITY_ID) {
      this.crm.entityType = first.CRM_ENTITY_TYPE;
      this.crm.entityId = Number(first.CRM_ENTITY_ID);
    }
    const owner = Number(first.ASSIGNED_BY_ID);
    return Number.isInteger(owner) && owner > 0 ? owner : undefined;
  }

  async finish(responsible: number): Promise<{ activityId?: number; statusCode: string; duration: number } | undefined> {
    const call = this.call;
    const base = {
      CALL_ID: this.crm.crmCallId!,
      USER_ID: responsible,
      DURATION: call.talk_seconds,
      STATUS_CODE: statusCodeFor(call),
      ADD_TO_CHAT: (this.cfg.product.addToChat ? 1 : 0) as 0 | 1,
    };
    let params: Record<string, unknown> = base;
    if (this.deps.hooks.isEnabled("process_final_params")) {
      const r = await this.deps.hooks.run("process_final_params", { ...base, call_full: this.hookCall() });
      if (r.outcome === "cancelled") {
        await this.deps.journal.update(this.callKey, { status: "cancelled", reason: "finish cancelled by customization" });
        return undefined;
      }
      if (r.outcome === "applied") params = { ...base, ...r.data, CALL_ID: this.crm.crmCallId! };
    }
    const res = await sendChain(this.deps.gateway, this.deps.journal, this.callKey, this.id("finish"), [{ name: "finish", method: "telephony.externalcall.finish", params }], this.stage);
    const fin = outcomeOf<{ CRM_ACTIVITY_ID?: number | null }>(res, "finish");
    await crmCallIndexFor(this.deps).release(this.crm.crmCallId!);
    if (!fin?.ok) {
      const text = fin ? fin.error.description || fin.error.message : "no answer";
      await this.deps.journal.fail(this.callKey, `finish refused: ${text}`);
      return undefined;
    }
    const activity = fin.value.CRM_ACTIVITY_ID;
    return { ...(activity ? { activityId: Number(activity) } : {}), statusCode: String(params.STATUS_CODE), duration: Number(params.DURATION) };
  }

  async afterFinish(activityId: number | undefined, responsible: number, statusCode: string): Promise<void> {
    const call = this.call;
    const kind = callKind(call.direction === "outbound" ? "outbound" : "inbound", statusCode as never, call.is_ivr);
    // Recording (never blocks the rest: a missing file is journalled as an error).
    if (this.cfg.recordings.enabled && (call.record || this.deps.recordingLookup)) {
      await attachRecording(this, activityId);
    }
    if (activityId) {
      const update = buildActivityUpdate(activityId, kind, { deadlineMinutes: this.cfg.extras.activity.deadlineMinutes, complete: this.cfg.extras.activity.complete }, new Date(this.deps.now?.() ?? Date.now()));
      let fields: Record<string, unknown> | undefined = update?.params.fields;
      if (this.deps.hooks.isEnabled("customize_activity")) {
        const r = await this.deps.hooks.run("customize_activity", {
          activity: { id: String(activityId), is_new: false, name: "", phones: [], raw: {}, responsible: {}, responsible_id: String(responsible), type: "activity" },
          call_full: this.hookCall(),
        } as never);
        if (r.outcome === "applied") fields = { ...(fields ?? {}), ...(r.data as Record<string, unknown>) };
      }
      if (fields && Object.keys(fields).length > 0) {
        await sendChain(this.deps.gateway, this.deps.journal, this.callKey, this.id("activity"), [{ name: "act", method: "crm.activity.update", params: { id: activityId, fields } }], this.stage);
      }
    }
    if (this.crm.entityType && this.crm.entityId && this.deps.hooks.isEnabled("customize_entity")) {
      const r = await this.deps.hooks.run("customize_entity", { call_full: this.hookCall() });
      const method = this.crm.entityType === "LEAD" ? "crm.lead.update" : this.crm.entityType === "CONTACT" ? "crm.contact.update" : this.crm.entityType === "COMPANY" ? "crm.company.update" : undefined;
      if (r.outcome === "applied" && method && Object.keys(r.data).length > 0) {
        await sendChain(this.deps.gateway, this.deps.journal, this.callKey, this.id("entity"), [{ name: "ent", method, params: { id: this.crm.entityId, fields: r.data } }], this.stage);
      }
    }
    const missed = statusCode !== "200";
    const task = this.cfg.extras.missedCallTask;
    if (missed && task.enabled && (call.direction === "inbound" || task.outbound)) await this.missedTask(responsible);
    if (missed && call.direction === "inbound" && this.cfg.extras.unreachedNotice.enabled) await this.unreachedNotices();
  }

  async missedTask(responsible: number): Promise<void> {
    const call = this.call;
    const cfg = this.cfg.extras.missedCallTask;
    const entity = crmRef(this.crm.entityType, this.crm.entityId);
    const cmd = buildMissedCallTask(
      { clientNumber: call.client_number, line: call.line_number, direction: call.direction === "outbound" ? "outbound" : "inbound", startedAt: new Date(call.started_at), responsibleId: responsible, entities: entity ? [entity] : [] },
      { createdBy: cfg.createdBy ?? responsible, deadlineMinutes: cfg.deadlineMinutes },
      new Date(this.deps.now?.() ?? Date.now()),
    );
    let fields: Record<string, unknown> = cmd.params.fields;
    if (this.deps.hooks.isEnabled("process_task_creation_params")) {
      const r = await this.deps.hooks.run("process_task_creation_params", { fields: fields as never, call_full: this.hookCall() });
      if (r.outcome === "cancelled") return;
      if (r.outcome === "applied") fields = { ...fields, ...r.data.fields };
    }
    await sendChain(this.deps.gateway, this.deps.journal, this.callKey, this.id("task"), [{ name: "task", method: "tasks.task.add", params: { fields } }], this.stage);
  }

  /** Managers whose phone was dialled for this missed call but never rang (busy, unavailable…). */
  async unreachedNotices(): Promise<void> {
    const call = this.call;
    const unreached = Object.values(call.conversations).filter((c) => !c.excluded && !c.was_accepted && ["unavailable", "busy", "rejected"].includes(c.end_reason));
    const commands = [];
    for (const c of unreached) {
      const uid = this.crm.users[c.extension];
      if (!uid) continue;
      commands.push({
        name: `n${commands.length}`,
        method: "im.notify.system.add",
        params: { USER_ID: uid, MESSAGE: `Пропущенный звонок от ${call.client_number}: ваш номер ${c.extension} был недоступен (${c.end_reason}).` },
      });
    }
    if (commands.length) await sendChain(this.deps.gateway, this.deps.journal, this.callKey, this.id("notices"), commands, this.stage);
  }
}


