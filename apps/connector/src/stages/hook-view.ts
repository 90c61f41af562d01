import type { CallFull as HookCallFull, HookConversation } from "../hooks/index.js";
import type { CallFull } from "../tracker/index.js";
import type { CrmCallState } from "./crm-state.js";
import type { CachedUser } from "../directory/users-cache.js";

/** The user object hooks see in `call_full.conversations[id].user` (Itgrix: "user found by phone"). */
export function hookUser(user: CachedUser): { id: number; name: string; phones: string[]; email: string; position: string } {
  return { id: user.id, name: user.name, phones: Object.values(user.phones).filter((p): p is string => !!p), email: user.email ?? "", position: user.position ?? "" };
}

/**
 * `call_full` as a hook receives it: the tracker's snapshot with what the CRM side knows filled
 * in (each conversation's Bitrix24 user, the registration, the bound entity).
 */
export function hookCallFull(call: CallFull, crm: CrmCallState, userById: (id: number) => CachedUser | undefined): HookCallFull {
  const conversations: Record<string, HookConversation> = {};
  for (const [id, conv] of Object.entries(call.conversations)) {
    const uid = crm.users[conv.extension];
    const user = uid ? userById(uid) : undefined;
    conversations[id] = { ...conv, user: user ? hookUser(user) : null };
  }
  return {
    ...call,
    conversations,
    registration: crm.crmCallId ? { CALL_ID: crm.crmCallId, USER_ID: crm.registeredUserId ?? null, source: crm.source ?? "register" } : null,
    entity: crm.entityType && crm.entityId ? { type: crm.entityType.toLowerCase(), id: crm.entityId } : null,
  };
}
