/**
 * Calls nobody owns: no rule gives them a Bitrix24 user (nobody with a CRM user rang or answered,
 * the number belongs to no CRM entity, no default responsible). They are never dropped for that:
 * they land on `responsible.defaultUserId` (or the line's default) when set, else on the portal
 * user the connector's credential belongs to (`responsible.fallbackToCredentialUser`, default on).
 * Only with that switched off and no default does such a call stay out of the CRM — journalled as
 * failed at warn level, logged, and counted (`not_landed`).
 */
import { CredentialUser } from "../directory/credential-user.js";
import type { CachedUser } from "../directory/users-cache.js";
import { pickResponsible } from "./finish.js";
import type { StageStep } from "./step.js";
import type { UnownedOutcome } from "./unowned-stats.js";

export interface Landing {
  user: CachedUser;
  /** Set when nobody owned the call and a fallback took it. */
  fallback?: Exclude<UnownedOutcome, "not_landed">;
}

export const NOT_LANDED_REASON =
  "no Bitrix24 user owns this call (nobody with a CRM user rang or answered, no entity owner, no default) and responsible.fallbackToCredentialUser is off: not registered (set responsible.defaultUserId)";

/**
 * The user a call that reached call_ended without a CRM call lands on; undefined only when nobody
 * owns it and no fallback is allowed. Rejects while the credential's user cannot be looked up
 * (the stage is retried; the call waits in the outbox).
 */
export async function landingFor(step: StageStep): Promise<Landing | undefined> {
  const { deps, crm } = step;
  const pick = await pickResponsible(step);
  const id = pick.userId ?? crm.registeredUserId;
  if (id !== undefined) {
    const user = deps.users.byId(id) ?? { id, name: "", phones: {} };
    const viaDefault = !pick.crmUserTookPart && (pick.reason === "default-user" || pick.reason === "line-default");
    return viaDefault ? { user, fallback: "default_user" } : { user };
  }
  if (!step.cfg.responsible.fallbackToCredentialUser) return undefined;
  const owner = await deps.credentialUser.get();
  return { user: deps.users.byId(owner.id) ?? CredentialUser.asCachedUser(owner), fallback: "credential_user" };
}

/** After a fallback landing was delivered: a journal note, the durable count, the metric. */
export async function noteFallback(step: StageStep, landing: Landing): Promise<void> {
  const { deps, callKey } = step;
  if (!landing.fallback) return;
  const who = `user ${landing.user.id}${landing.user.name ? ` (${landing.user.name})` : ""}`;
  const text =
    landing.fallback === "credential_user"
      ? `nobody owns this call (no CRM user rang or answered, no entity owner, no default responsible): registered and finished on ${who}, the user of the connector's Bitrix24 credential (responsible.fallbackToCredentialUser)`
      : `nobody owns this call (no CRM user rang or answered, no entity owner): registered and finished on the default responsible, ${who}`;
  await deps.journal.record(callKey, { kind: "note", text });
  await deps.unownedStats.count(callKey, landing.fallback);
}

/** Nobody owns the call and no fallback is allowed: failed, at warn level, counted. */
export async function noteNotLanded(step: StageStep): Promise<void> {
  const { deps, call, callKey } = step;
  await deps.journal.record(callKey, { kind: "note", level: "warn", text: NOT_LANDED_REASON });
  await deps.journal.update(callKey, { direction: call.direction, clientNumber: call.client_number, lineNumber: call.line_number });
  await deps.journal.fail(callKey, NOT_LANDED_REASON);
  await deps.unownedStats.count(callKey, "not_landed");
  deps.logger.warn({ callKey, direction: call.direction, client: call.client_number }, "call not registered: nobody owns it and there is no fallback user");
}
