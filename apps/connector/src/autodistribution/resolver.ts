/**
 * "Who is responsible for this caller?" — for the dialplan (HTTP for CURL(), FastAGI).
 *
 *   caller number → telephony.externalcall.searchCrmEntities → the first entity's responsible
 *   (ASSIGNED_BY_ID) → that user's inner number (users cache) → PBX extension (extensionMap.toPbx)
 *   → customize_autodistribution hook → {number, name ≤ 20 characters}
 *
 * Anything that does not give a clean answer in time — unknown caller, inactive responsible
 * without a number, a portal error, the hook failing, outside working hours, or slower than
 * `timeoutMs` — gives the EMPTY answer, and the dialplan falls back to its normal route.
 */
import type { Logger } from "pino";
import type { HookRunner } from "../hooks/index.js";
import type { Metrics } from "../http/metrics.js";
import type { B24Port } from "../crm/port.js";
import type { ExtensionMap } from "../directory/extension-map.js";
import type { UsersCache } from "../directory/users-cache.js";
import type { AutodistributionConfig } from "./config.js";
import { checkTimezone, withinWorkingHours } from "./working-hours.js";

export const MAX_NAME_LENGTH = 20;

export type AutodistributionReason = "found" | "no-entity" | "no-responsible" | "responsible-without-number" | "outside-hours" | "bad-number" | "error" | "timeout" | "cancelled";

export interface AutodistributionAnswer {
  /** Extension to route to; "" = take the normal route. */
  number: string;
  /** CallerID name (≤ 20 characters); may be "" also when `number` is set. */
  name: string;
  reason: AutodistributionReason;
}

export interface AutodistributionQuery {
  /** The caller's number (CALLERID(num)). */
  from: string;
  /** The dialled line (DID), informative. */
  did?: string;
}

export interface AutodistributionDeps {
  config: AutodistributionConfig;
  b24: B24Port;
  users: UsersCache;
  extensionMap: ExtensionMap;
  hooks: HookRunner;
  logger: Logger;
  metrics?: Metrics;
  now?: () => Date;
}

interface FoundEntity {
  CRM_ENTITY_TYPE?: string;
  CRM_ENTITY_ID?: number | string;
  ASSIGNED_BY_ID?: number | string;
  NAME?: string;
}

const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029"\\]/g;

/** One line, no quotes or backslashes (it goes into AGI SET VARIABLE and CALLERID(name)), ≤ 20 characters. */
export function callerName(raw: string): string {
  return Array.from(raw.replace(CONTROL, " ").replace(/\s+/g, " ").trim()).slice(0, MAX_NAME_LENGTH).join("").trim();
}

const EMPTY = (reason: AutodistributionReason): AutodistributionAnswer => ({ number: "", name: "", reason });

export class Autodistribution {
  constructor(private readonly d: AutodistributionDeps) {
    if (d.config.workingHours) checkTimezone(d.config.workingHours.timezone);
  }

  async resolve(q: AutodistributionQuery): Promise<AutodistributionAnswer> {
    const answer = await this.#resolveInTime(q);
    this.d.metrics?.inc("ab24_autodistribution_total", { reason: answer.reason });
    this.d.logger.info({ from: q.from, did: q.did, number: answer.number, reason: answer.reason }, "autodistribution answered");
    return answer;
  }

  async #resolveInTime(q: AutodistributionQuery): Promise<AutodistributionAnswer> {
    const wh = this.d.config.workingHours;
    if (wh && !withinWorkingHours(wh, (this.d.now ?? (() => new Date()))())) return EMPTY("outside-hours");
    const from = (q.from ?? "").replace(/[\s().-]/g, "");
    if (!/^\+?\d{3,20}$/.test(from)) return EMPTY("bad-number");
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<AutodistributionAnswer>((resolve) => {
      timer = setTimeout(() => resolve(EMPTY("timeout")), this.d.config.timeoutMs);
    });
    try {
      return await Promise.race([this.#lookup(from), timeout]);
    } catch (err) {
      this.d.logger.warn({ err: (err as Error).message, from }, "autodistribution failed");
      return EMPTY("error");
    } finally {
      clearTimeout(timer);
    }
  }

  async #lookup(from: string): Promise<AutodistributionAnswer> {
    let error: string | undefined;
    let entity: FoundEntity | undefined;
    try {
      const found = await this.d.b24.call<FoundEntity[]>("telephony.externalcall.searchCrmEntities", { PHONE_NUMBER: from });
      entity = Array.isArray(found) ? (found.find((e) => Number(e.ASSIGNED_BY_ID) > 0) ?? found[0]) : undefined;
    } catch (err) {
      error = (err as { description?: string }).description ?? (err as Error).message;
    }
    const responsibleId = Number(entity?.ASSIGNED_BY_ID ?? 0);
    const user = responsibleId > 0 ? this.d.users.byId(responsibleId) : undefined;
    const usable = user && this.d.users.isActive(user.id) && user.innerPhone ? user : undefined;
    let number = usable ? this.d.extensionMap.toPbx(usable.innerPhone!) : "";
    let name = this.d.config.entityName && entity?.NAME ? callerName(entity.NAME) : "";
    const reason: AutodistributionReason = error ? "error" : !entity ? "no-entity" : responsibleId <= 0 ? "no-responsible" : !usable ? "responsible-without-number" : "found";

    if (this.d.hooks.isEnabled("customize_autodistribution")) {
      const r = await this.d.hooks.run("customize_autodistribution", {
        number,
        name,
        from,
        ...(user
          ? {
              user: {
                id: user.id,
                phones: Object.values(user.phones).filter((p): p is string => Boolean(p)),
                name: user.name,
                email: user.email ?? "",
                position: user.position ?? "",
              },
            }
          : {}),
        ...(entity
          ? { entity: { type: String(entity.CRM_ENTITY_TYPE ?? ""), id: Number(entity.CRM_ENTITY_ID ?? 0), name: String(entity.NAME ?? ""), responsible_id: responsibleId } }
          : {}),
        ...(error ? { error } : {}),
      });
      if (r.outcome === "cancelled") return EMPTY("cancelled");
      number = r.data.number ?? "";
      name = callerName(r.data.name ?? "");
    }
    if (!/^[0-9*#+]{1,20}$/.test(number)) return EMPTY(reason === "found" ? "error" : reason);
    return { number, name, reason: "found" };
  }
}
