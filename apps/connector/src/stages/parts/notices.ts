import type { B24Command } from "./b24-port.js";
import type { CrmEntityRef } from "./crm-binding.js";
import { formatB24DateTime, type TimeZoneSpec } from "./datetime.js";
import { renderTemplate } from "./template.js";

/**
 * A system notification (im.notify.system.add) to a manager whose extension the client dialled in
 * the IVR but who never got the call (the client hung up, or the call went elsewhere). Field
 * lesson from the case study: managers want to know who tried to reach them personally.
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

export const DEFAULT_IVR_NOTICE =
  "Клиент {number} {name} набрал ваш добавочный {extension} в голосовом меню ({time}), но не дозвонился. {entity}";

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

export function buildIvrMissedNotice(
  facts: IvrMissedNoticeFacts,
  config: IvrMissedNoticeConfig = {},
): B24Command<NotifyParams> {
  const message = renderTemplate(config.template ?? DEFAULT_IVR_NOTICE, {
    number: facts.clientNumber,
    name: facts.clientName ?? "",
    extension: facts.dialledExtension,
    time: formatB24DateTime(facts.at, config.timeZone),
    entity: facts.entity ? crmEntityLink(facts.entity) : "",
  })
    .replace(/[ \t]+/g, " ")
    .trim();
  const params: NotifyParams = { USER_ID: facts.userId, MESSAGE: message };
  if (config.tag && config.clientId) {
    params.TAG = config.tag;
    params.CLIENT_ID = config.clientId;
  }
  return { method: "im.notify.system.add", params };
}
