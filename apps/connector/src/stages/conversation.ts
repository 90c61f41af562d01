/**
 * The conversation stages: a manager's phone rings (requested), is answered (accepted), or stops
 * ringing (ended).
 */
import { cardModeFor, hideCard, portalShowsCard, showCard } from "./cards.js";
import { userFor } from "./lookup.js";
import { adoptPortalCall, register } from "./register.js";
import type { Conversation, StageStep } from "./step.js";

/** A phone rings: register the call (first CRM conversation) and show the card on ringing. */
export async function conversationRequested(step: StageStep, conv: Conversation): Promise<void> {
  const { crm } = step;
  if (step.call.click_to_call?.crm_call_id) await adoptPortalCall(step);
  const user = await userFor(step, conv.extension);
  if (!user) return;
  crm.lastRungUserId = user.id;
  const mode = portalShowsCard(step, conv) ? "never" : cardModeFor(step, conv.extension);
  const ringingCard = mode === "ringing";
  if (!crm.crmCallId) {
    await register(step, user, ringingCard ? user.id : undefined);
    return;
  }
  if (ringingCard) await showCard(step, user.id);
}

/** Answered: show the card to the one who answered (card on answer). */
export async function conversationAccepted(step: StageStep, conv: Conversation): Promise<void> {
  const { crm } = step;
  const user = await userFor(step, conv.extension);
  if (!user) return;
  if (!crm.answeredUserIds.includes(user.id)) crm.answeredUserIds.push(user.id);
  crm.lastRungUserId = user.id;
  const mode = portalShowsCard(step, conv) ? "never" : cardModeFor(step, conv.extension);
  if (!crm.crmCallId && !(await register(step, user, mode === "never" ? undefined : user.id))) return;
  if (mode !== "never") await showCard(step, user.id);
}

/** Stopped ringing: hide the card for a manager whose phone only rang (ringall losers). */
export async function conversationEnded(step: StageStep, conv: Conversation): Promise<void> {
  const { crm } = step;
  // The card is never closed for a manager who talked; a phone that only rang loses it.
  if (conv.was_accepted) return;
  const uid = crm.users[conv.extension];
  if (!uid || crm.answeredUserIds.includes(uid)) return;
  // Still ringing on another leg of this call (e.g. a queue's next round)? Keep the card.
  const ringingElsewhere = Object.values(step.call.conversations).some((c) => c !== conv && c.extension === conv.extension && c.state === "requested");
  if (!ringingElsewhere) await hideCard(step, uid);
}
