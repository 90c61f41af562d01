import type { CachedUser } from "../directory/users-cache.js";
import { normaliseClientNumber } from "../directory/phone.js";
import type { StageStep } from "./step.js";

/**
 * The Bitrix24 user behind an extension (process_user_phone hook → extension map → users cache),
 * remembered in the call's CRM state so every stage of the call agrees.
 */
export async function userFor(step: StageStep, ext: string): Promise<CachedUser | undefined> {
  const { deps, crm, callKey } = step;
  if (!ext) return undefined;
  if (ext in crm.users) {
    const id = crm.users[ext];
    return id ? deps.users.byId(id) : undefined;
  }
  let phone = ext;
  if (deps.hooks.isEnabled("process_user_phone")) {
    const r = await deps.hooks.run("process_user_phone", { phone: ext, call_full: step.hookCall(), call_stage: step.stage });
    if (r.outcome === "applied" && r.data.phone) phone = r.data.phone;
  }
  const inner = deps.extensionMap.toB24(phone);
  const user = deps.users.find(inner) ?? (await deps.users.findFresh(inner));
  if (!user) {
    crm.users[ext] = null;
    await deps.journal.record(callKey, { kind: "note", text: `extension ${ext} has no Bitrix24 user (UF_PHONE_INNER ${inner})` });
    return undefined;
  }
  // Only Bitrix24 users are operators the licence counts: a phone outside the CRM (a support
  // group, a fax) takes no operator's place.
  if (deps.license && !deps.license.isOperatorAllowed(inner)) {
    crm.users[ext] = null;
    await deps.journal.record(callKey, { kind: "note", text: `operator ${inner} is over the licensed number of operators: not served` });
    return undefined;
  }
  crm.users[ext] = user.id;
  return user;
}

/** The client's number as Bitrix24 should see it (process_client_phone hook, else the phone rules). */
export async function clientPhone(step: StageStep): Promise<string> {
  const { deps, call } = step;
  const phone = call.client_number;
  if (deps.hooks.isEnabled("process_client_phone")) {
    const r = await deps.hooks.run("process_client_phone", { phone, call_full: step.hookCall(), call_stage: step.stage });
    if (r.outcome === "applied" && r.data.phone) return r.data.phone;
  }
  return normaliseClientNumber(phone, step.cfg.product.phone);
}
