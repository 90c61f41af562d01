/**
 * Click-to-call: OnExternalCallStart events from the b24-app's BullMQ queue → AMI Originate.
 *
 *   event (USER_ID, PHONE_NUMBER, CALL_ID) → manager's extension (users cache, extensionMap.toPbx)
 *   → params {channel, context, extension, priority, caller_id, request_data}
 *   → process_originate_params hook (may change them, or cancel)
 *   → validation of every value (CR/LF and other injection refused, nothing sent)
 *   → Originate: the manager's phone first, then the client's number in the outbound context,
 *     with <tracker.clickToCallVariable>=CALL_ID so the tracker adopts Bitrix24's call (no second
 *     register) and the pipeline finishes it like any other call.
 *
 * A job is dialled at most once (Redis SET NX per CALL_ID, so a retried or re-delivered job never
 * rings the manager twice). Calls that are never dialled (bad number, cancelled, too old, no
 * extension) are finished in Bitrix24 at once, so no card stays open. OriginateResponse failures
 * are turned into plain diagnostics: logged, counted, optionally sent to the manager.
 */
import { Worker, type ConnectionOptions, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { AmiActionTimeoutError, type AmiActionResult, type AmiMessage } from "@asterisk-b24/ami";
import type { ClickToCallJob } from "@asterisk-b24/common";
import type { HookRunner } from "../hooks/index.js";
import { jsonObject } from "../hooks/json.js";
import type { Metrics } from "../http/metrics.js";
import type { ComponentStatus } from "../http/status.js";
import type { B24Port } from "../crm/port.js";
import type { ExtensionMap } from "../directory/extension-map.js";
import type { UsersCache } from "../directory/users-cache.js";
import type { OriginateRequest } from "./originate.js";
import type { ClickToCallConfig } from "./config.js";
import { diagnoseOriginate, failureNotice, type OriginateDiagnosis } from "./diagnostics.js";
import { assertCallerId, assertFormat, assertVariable, cleanPhoneNumber, ClickToCallValueError } from "./validate.js";

/** What arrives from the queue: the b24-app's job (contract in @asterisk-b24/common); the event name is checked on arrival. */
export type ClickToCallJobData = Omit<ClickToCallJob, "event"> & { event: string };

/** What click-to-call asks the connector to dial (the connector's AMI Originate request). */
export type OriginateCall = OriginateRequest;

export type ClickToCallStatus = "dialled" | "refused" | "cancelled" | "stale" | "no-extension" | "duplicate" | "ignored" | "failed";

export interface ClickToCallResult {
  status: ClickToCallStatus;
  callId?: string;
  actionId?: string;
  /** Refused / failed: why. */
  problem?: string;
}

export interface ClickToCallDeps {
  config: ClickToCallConfig;
  /** tracker.clickToCallVariable */
  variable: string;
  /**
   * A variable the tracker reads as the call's line (the first of tracker.didVariables): the
   * portal's LINE_NUMBER travels with the Originate, so the journal and the CRM show the line.
   */
  lineVariable?: string;
  connection: ConnectionOptions;
  redis: Redis;
  redisPrefix: string;
  users: UsersCache;
  extensionMap: ExtensionMap;
  hooks: HookRunner;
  b24: B24Port;
  originate: (call: OriginateCall) => Promise<AmiActionResult>;
  amiConnected: () => boolean;
  metrics: Metrics;
  logger: Logger;
  /** Each OriginateResponse diagnosed (tests, demo). */
  onDiagnosis?: (d: OriginateDiagnosis & { callId: string; actionId: string }) => void;
}

interface Pending {
  callId: string;
  userId: number;
  number: string;
  at: number;
}

const PENDING_TTL_MS = 10 * 60_000;

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
}

export class ClickToCallService {
  #worker: Worker | undefined;
  readonly #pending = new Map<string, Pending>();
  /** OriginateResponses that arrived before their originate() resolved. */
  readonly #early = new Map<string, { msg: AmiMessage; at: number }>();
  readonly counts: Record<ClickToCallStatus, number> = { dialled: 0, refused: 0, cancelled: 0, stale: 0, "no-extension": 0, duplicate: 0, ignored: 0, failed: 0 };
  readonly failures: Partial<Record<string, number>> = {};
  #lastProblem: string | undefined;

  constructor(private readonly d: ClickToCallDeps) {}

  start(): void {
    const c = this.d.config;
    this.#worker = new Worker<ClickToCallJobData, ClickToCallResult>(c.queue.name, (job) => this.#process(job), {
      connection: this.d.connection,
      prefix: c.queue.prefix,
      concurrency: c.concurrency,
    });
    this.#worker.on("error", (err) => this.d.logger.warn({ err: err.message }, "click-to-call queue error"));
  }

  async stop(): Promise<void> {
    await this.#worker?.close();
  }

  status(): ComponentStatus {
    return {
      health: "Ok",
      enabled: true,
      queue: this.d.config.queue.name,
      counts: { ...this.counts },
      originate_failures: { ...this.failures },
      ...(this.#lastProblem ? { last_problem: this.#lastProblem } : {}),
    };
  }

  async #process(job: Job<ClickToCallJobData, ClickToCallResult>): Promise<ClickToCallResult> {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const result = await this.handle(job.data, { lastAttempt, ...(job.id ? { jobId: job.id } : {}) });
    if (result.status === "failed" && !lastAttempt) throw new Error(result.problem ?? "click-to-call failed");
    return result;
  }

  /** One event. Throws only for transient trouble (AMI down) while retries remain. */
  async handle(job: ClickToCallJobData, opts: { lastAttempt?: boolean; now?: number; jobId?: string } = {}): Promise<ClickToCallResult> {
    const log = this.d.logger;
    const cfg = this.d.config;
    const data = job.data ?? {};
    if (job.event.toUpperCase() !== "ONEXTERNALCALLSTART") {
      log.warn({ event: job.event }, "click-to-call: event not handled (only OnExternalCallStart is dialled)");
      return this.#count({ status: "ignored" });
    }
    const callId = typeof data.CALL_ID === "string" ? data.CALL_ID : "";
    const userId = Number(data.USER_ID);
    if (!callId || !Number.isInteger(userId) || userId <= 0) {
      log.error({ callId, user: data.USER_ID }, "click-to-call: event without CALL_ID / USER_ID");
      return this.#count({ status: "refused", problem: "event without CALL_ID or USER_ID" });
    }
    // One event decides a CALL_ID. Bitrix24 hands the CALL_ID of a call still open to a repeated
    // click on the same number (30-minute de-duplication), so a second event may carry a CALL_ID
    // that an earlier event already dialled or closed: it must neither dial nor finish it again.
    if (!(await this.#claim(callId, opts.jobId ?? `${job.via}:${job.receivedAt}`))) {
      log.warn({ callId, user: userId }, "click-to-call: this CALL_ID was handled by an earlier event (Bitrix24 reused an open call); not dialled or finished again");
      return this.#count({ status: "duplicate", callId });
    }
    const now = opts.now ?? Date.now();
    const received = Date.parse(job.receivedAt) || (job.ts ? job.ts * 1000 : now);
    if (now - received > cfg.maxAgeMs) {
      log.warn({ callId, ageMs: now - received }, "click-to-call: event too old, not dialled");
      await this.#finishUndialled(callId, userId, "603-S");
      return this.#count({ status: "stale", callId, problem: `event ${Math.round((now - received) / 1000)} s old` });
    }

    let user = this.d.users.byId(userId);
    if (!user?.innerPhone) {
      await this.d.users.refreshOnMiss().catch(() => undefined);
      user = this.d.users.byId(userId);
    }
    if (!user?.innerPhone) {
      const problem = `Bitrix24 user ${userId} has no inner phone number (UF_PHONE_INNER): nothing to ring`;
      log.error({ callId, user: userId }, `click-to-call: ${problem}`);
      await this.#finishUndialled(callId, userId, "480");
      await this.#notify(userId, `Click-to-call failed: your Bitrix24 profile has no inner phone number.`);
      return this.#count({ status: "no-extension", callId, problem });
    }
    const extension = this.d.extensionMap.toPbx(user.innerPhone);

    let params: { caller_id: string; channel: string; context: string; extension: string; priority: string | number };
    let number = "";
    const line = typeof data.LINE_NUMBER === "string" ? data.LINE_NUMBER.trim() : "";
    try {
      number = cfg.dialPrefix + cleanPhoneNumber("PHONE_NUMBER", data.PHONE_NUMBER);
      const values = { extension, number, user: String(userId) };
      params = {
        caller_id: fill(cfg.callerId, values),
        channel: fill(cfg.channel, values),
        context: cfg.context,
        extension: number,
        priority: cfg.priority,
      };
      if (this.d.hooks.isEnabled("process_originate_params")) {
        const r = await this.d.hooks.run("process_originate_params", { params: { ...params, request_data: jsonObject(data) } });
        if (r.outcome === "cancelled") {
          log.info({ callId }, "click-to-call cancelled by process_originate_params");
          await this.#finishUndialled(callId, userId, "603-S");
          return this.#count({ status: "cancelled", callId });
        }
        const { request_data: _rd, ...rest } = r.data;
        params = rest;
      }
      params = {
        channel: assertFormat("channel", params.channel),
        context: assertFormat("context", params.context),
        extension: assertFormat("extension", params.extension),
        priority: assertFormat("priority", params.priority),
        caller_id: assertCallerId(params.caller_id),
      };
      assertVariable(this.d.variable, callId);
      if (line) assertVariable("LINE_NUMBER", line);
    } catch (err) {
      if (!(err instanceof ClickToCallValueError)) throw err;
      log.error({ callId, field: err.field, problem: err.problem, err: err.message }, "click-to-call refused: unsafe or invalid value");
      this.d.metrics.inc("ab24_click_to_call_refused_total", { field: err.field, problem: err.problem });
      await this.#finishUndialled(callId, userId, "404");
      await this.#notify(userId, `Click-to-call refused: ${err.message}`);
      return this.#count({ status: "refused", callId, problem: err.message });
    }

    if (!this.d.amiConnected()) {
      const problem = "not connected to Asterisk";
      if (!opts.lastAttempt) return { status: "failed", callId, problem };
      await this.#finishUndialled(callId, userId, "503");
      await this.#notify(userId, "Click-to-call failed: the connector is not connected to the PBX.");
      return this.#count({ status: "failed", callId, problem });
    }

    // At most one Originate per Bitrix24 call, whatever the queue redelivers.
    const once = await this.d.redis.set(`${this.d.redisPrefix}:c2c:dialled:${callId}`, String(now), "EX", 86_400, "NX");
    if (!once) {
      log.warn({ callId }, "click-to-call: this CALL_ID was dialled already, not again");
      return this.#count({ status: "duplicate", callId });
    }
    let res: AmiActionResult;
    try {
      res = await this.d.originate({
        channel: params.channel,
        context: params.context,
        exten: params.extension,
        priority: params.priority,
        ...(params.caller_id ? { callerId: params.caller_id } : {}),
        timeoutMs: cfg.timeoutMs,
        variables: { [this.d.variable]: callId, CRM_USER_ID: String(userId), ...(line && this.d.lineVariable ? { [this.d.lineVariable]: line } : {}) },
      });
    } catch (err) {
      if (err instanceof AmiActionTimeoutError) {
        // Sent, but Asterisk did not answer in time: it may be ringing the manager now. Dialling
        // again could ring twice and finishing could close a live call; if the call happens, the
        // tracker follows it (the Originate carries the CALL_ID) and finishes it.
        log.error({ callId, err: err.message }, "click-to-call: Originate not confirmed by Asterisk; not dialled again");
        return this.#count({ status: "failed", callId, problem: `Originate not confirmed: ${err.message}` });
      }
      await this.d.redis.del(`${this.d.redisPrefix}:c2c:dialled:${callId}`);
      const problem = `Originate not sent: ${(err as Error).message}`;
      log.error({ callId, err: (err as Error).message }, "click-to-call: Originate failed");
      if (!opts.lastAttempt) return { status: "failed", callId, problem };
      await this.#finishUndialled(callId, userId, "503");
      return this.#count({ status: "failed", callId, problem });
    }
    if (!res.ok) {
      // Asterisk refused the action itself (e.g. unknown channel technology): nothing will ring.
      const problem = `Asterisk refused the Originate: ${res.response.get("Message") ?? "error"}`;
      log.error({ callId, channel: params.channel }, `click-to-call: ${problem}`);
      this.#countFailure("refused-by-asterisk");
      await this.#finishUndialled(callId, userId, "503");
      await this.#notify(userId, `Click-to-call to ${number} failed: ${problem}.`);
      return this.#count({ status: "failed", callId, actionId: res.actionId, problem });
    }
    this.#pending.set(res.actionId, { callId, userId, number, at: now });
    const early = this.#early.get(res.actionId);
    if (early) {
      this.#early.delete(res.actionId);
      this.#diagnose(early.msg);
    }
    log.info({ callId, user: userId, channel: params.channel, exten: params.extension, actionId: res.actionId, via: job.via }, "click-to-call: Originate sent");
    return this.#count({ status: "dialled", callId, actionId: res.actionId });
  }

  /** Every AMI message the connector reads goes past here (only OriginateResponse matters). */
  observe(msg: AmiMessage): void {
    if (msg.event !== "OriginateResponse") return;
    const id = msg.get("ActionID");
    if (!id) return;
    if (this.#pending.has(id)) this.#diagnose(msg);
    else {
      const now = Date.now();
      this.#early.set(id, { msg, at: now });
      for (const [k, v] of this.#early) if (now - v.at > 60_000) this.#early.delete(k);
    }
  }

  #diagnose(msg: AmiMessage): void {
    const id = msg.get("ActionID")!;
    const p = this.#pending.get(id)!;
    this.#pending.delete(id);
    const now = Date.now();
    for (const [k, v] of this.#pending) if (now - v.at > PENDING_TTL_MS) this.#pending.delete(k);
    const d = diagnoseOriginate(msg.get("Response") ?? "", msg.get("Reason"));
    this.d.onDiagnosis?.({ ...d, callId: p.callId, actionId: id });
    if (d.outcome === "answered") {
      this.d.logger.info({ callId: p.callId, actionId: id }, `click-to-call: ${d.text}`);
      return;
    }
    this.#countFailure(d.outcome);
    this.#lastProblem = `${new Date().toISOString()} ${p.callId}: ${d.text}`;
    this.d.logger.warn({ callId: p.callId, actionId: id, reason: d.reason, outcome: d.outcome }, `click-to-call failed: ${d.text}`);
    void this.#notify(p.userId, failureNotice(d, p.number));
  }

  #countFailure(outcome: string): void {
    this.failures[outcome] = (this.failures[outcome] ?? 0) + 1;
    this.d.metrics.inc("ab24_click_to_call_failures_total", { outcome });
  }

  #count(r: ClickToCallResult): ClickToCallResult {
    this.counts[r.status]++;
    this.d.metrics.inc("ab24_click_to_call_total", { status: r.status });
    if (r.problem && r.status !== "dialled") this.#lastProblem = `${new Date().toISOString()} ${r.callId ?? "-"}: ${r.problem}`;
    return r;
  }

  async #notify(userId: number, message: string): Promise<void> {
    if (!this.d.config.notifyManager) return;
    try {
      await this.d.b24.call("im.notify.system.add", { USER_ID: userId, MESSAGE: message });
    } catch (err) {
      this.d.logger.warn({ err: (err as Error).message, user: userId }, "click-to-call: notice not sent");
    }
  }

  /** True when this event (`jobKey`) owns the CALL_ID: the first to claim it, or a retry of that event. */
  async #claim(callId: string, jobKey: string): Promise<boolean> {
    const key = `${this.d.redisPrefix}:c2c:event:${callId}`;
    if (await this.d.redis.set(key, jobKey, "EX", 86_400, "NX")) return true;
    return (await this.d.redis.get(key)) === jobKey;
  }

  /** The portal registered the call; if we never dial it, close it (once) so no card stays open. */
  async #finishUndialled(callId: string, userId: number, statusCode: string): Promise<void> {
    if (!(await this.d.redis.set(`${this.d.redisPrefix}:c2c:closed:${callId}`, statusCode, "EX", 86_400, "NX"))) return;
    try {
      await this.d.b24.call("telephony.externalcall.finish", { CALL_ID: callId, USER_ID: userId, DURATION: 0, STATUS_CODE: statusCode, ADD_TO_CHAT: 0 });
    } catch (err) {
      this.d.logger.warn({ err: (err as Error).message, callId }, "click-to-call: could not finish the undialled call");
    }
  }
}
