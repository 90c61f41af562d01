import type { B24Command } from "../../crm/port.js";
import type { CrmEntityRef } from "./crm-binding.js";
import { formatB24DateTime, type TimeZoneSpec } from "./datetime.js";
import { renderTemplate } from "./template.js";

/**
 * System notifications (im.notify.system.add) to managers about calls that missed them. Every
 * notice is a template (`{placeholder}`s, BB-codes allowed) rendered into one command here:
 * - unreached: the manager's phone was dialled for a missed call but never rang (busy, unavailable);
 * - IVR missed: the client dialled the manager's extension in the IVR but never got through. Field
 *   lesson from the case study: managers want to know who tried to reach them personally.
 */

export interface IvrMissedNoticeFacts {
  /** Bitrix24 ID of the manager whose extension was dialled. */
  userId: number;
  clientNumber: string;
  clientName?: string | undefined;
  /** The extension the client keyed in. */
  dialledExtension: string;
  at: Date;
  /** The client's CRM entity, linked in the message. */
  entity?: CrmEntityRef | undefined;
}

export interface IvrMissedNoticeConfig {
  /** BB-codes allowed. Placeholders: {number} {name} {extension} {time} {entity}. */
  template?: string;
  timeZone?: TimeZoneSpec;
  /**
   * Notification TAG (a later notice with the same tag replaces the earlier one). With a webhook
   * Bitrix24 requires CLIENT_ID next to TAG, so both or neither.
   */
  tag?: string;
  clientId?: string;
}

export const DEFAULT_IVR_NOTICE = "Клиент {number} {name} набрал ваш добавочный {extension} в голосовом меню ({time}), но не дозвонился. {entity}";

const ENTITY_PATH: Record<CrmEntityRef["type"], string> = {
  LEAD: "lead",
  CONTACT: "contact",
  COMPANY: "company",
  DEAL: "deal",
};

/** `[url=/crm/contact/details/12/]контакт[/url]` — a relative link the notification opens in the portal. */
export function crmEntityLink(entity: CrmEntityRef, text = "Карточка клиента"): string {
  return `[url=/crm/${ENTITY_PATH[entity.type]}/details/${entity.id}/]${text}[/url]`;
}

export interface NotifyParams extends Record<string, unknown> {
  USER_ID: number;
  MESSAGE: string;
  TAG?: string;
  CLIENT_ID?: string;
}

export interface UnreachedNoticeFacts {
  /** Bitrix24 ID of the manager whose phone was dialled. */
  userId: number;
  clientNumber: string;
  /** The manager's extension. */
  extension: string;
  /** Why it never rang (the conversation's end reason: busy, unavailable, rejected). */
  reason: string;
}

/** Placeholders: {number} {extension} {reason}. */
export const DEFAULT_UNREACHED_NOTICE = "Пропущенный звонок от {number}: ваш номер {extension} был недоступен ({reason}).";

export function buildUnreachedNotice(facts: UnreachedNoticeFacts, template = DEFAULT_UNREACHED_NOTICE): B24Command<NotifyParams> {
  const message = renderTemplate(template, { number: facts.clientNumber, extension: facts.extension, reason: facts.reason });
  return notice(facts.userId, message);
}

function notice(userId: number, message: string, tagging: Pick<IvrMissedNoticeConfig, "tag" | "clientId"> = {}): B24Command<NotifyParams> {
  const params: NotifyParams = { USER_ID: userId, MESSAGE: message };
  if (tagging.tag && tagging.clientId) {
    params.TAG = tagging.tag;
    params.CLIENT_ID = tagging.clientId;
  }
  return { method: "im.notify.system.add", params };
}

export function buildIvrMissedNotice(facts: IvrMissedNoticeFacts, config: IvrMissedNoticeConfig = {}): B24Command<NotifyParams> {
  const message = renderTemplate(config.template ?? DEFAULT_IVR_NOTICE, {
    number: facts.clientNumber,
    name: facts.clientName ?? "",
    extension: facts.dialledExtension,
    time: formatB24DateTime(facts.at, config.timeZone),
    entity: facts.entity ? crmEntityLink(facts.entity) : "",
  })
    .replace(/[ \t]+/g, " ")
    .trim();
  return notice(facts.userId, message, config);
}
