/**
 * Who the call belongs to at `finish` (USER_ID) — a pure function over plain inputs.
 *
 * Answered calls: the last CRM manager who answered. Conversations held by a group that is not
 * in the CRM (a support queue in another system, `nonCrm: true`) or by someone who is not a
 * Bitrix24 user (`userId` undefined) are skipped — the field lesson from the case study: a
 * transfer to support must not steal the call from the manager who talked first.
 *
 * Missed calls: a configurable chain (Itgrix modes), each step falling through when it yields
 * nothing:
 * - `entity-owner` (mode 0): the responsible of the CRM entity found for the number;
 * - `last-rang` (mode 1): the last CRM manager whose phone rang;
 * - `default-user` (mode 2): the line's default responsible (`defaultUserByLine[line]`), else
 *   the global `defaultUserId`.
 * With `lineOverridesChain`, a line default wins before the chain (Itgrix's original
 * "default responsible per trunk" customisation).
 *
 * An answered call with no CRM manager among those who answered (only support talked) falls back
 * to the missed chain. A user the `isActive` predicate rejects (fired, deactivated) counts as
 * nothing, so the chain moves on.
 */

export type ResponsibleStep = "entity-owner" | "last-rang" | "default-user";

export interface ConversationFact {
  /** Bitrix24 user ID of the manager on this leg; undefined when the leg is not a Bitrix24 user. */
  userId?: number | undefined;
  /** Someone picked up on this leg. */
  answered: boolean;
  /** The leg belongs to a group outside the CRM (support queue, external operator). */
  nonCrm?: boolean | undefined;
}

export interface ResponsibleConfig {
  /** Itgrix mode: 0 → owner, last, default; 1 → last, default; 2 → default. Ignored if `missedChain` is set. */
  mode?: 0 | 1 | 2;
  /** Mode 0: the last CRM manager who rang comes before the entity owner (owner only when nobody rang). Default false. */
  rangBeforeOwner?: boolean;
  /** Explicit chain (default: from `mode`, default mode 0). */
  missedChain?: ResponsibleStep[];
  defaultUserId?: number | undefined;
  /** Per line (trunk name or DID) default responsible. */
  defaultUserByLine?: Record<string, number>;
  /** The line default is chosen first for missed calls, before the chain (default false). */
  lineOverridesChain?: boolean;
}

export interface ResponsibleInput {
  answered: boolean;
  /** In the order the legs started ringing. */
  conversations: ConversationFact[];
  /** ASSIGNED_BY_ID of the CRM entity the call is bound to. */
  entityOwnerId?: number | undefined;
  /** Trunk name or DID the call came in on / went out through. */
  line?: string | undefined;
  /** Is this user active (e.g. `usersCache.isActive`)? Default: every positive ID is. */
  isActive?: (userId: number) => boolean;
}

export type ResponsibleReason = "last-answered" | ResponsibleStep | "line-default" | "none";

export interface ResponsibleResult {
  userId: number | undefined;
  reason: ResponsibleReason;
}

export function missedChainFor(config: ResponsibleConfig): ResponsibleStep[] {
  if (config.missedChain) return config.missedChain;
  const all: ResponsibleStep[] = ["entity-owner", "last-rang", "default-user"];
  if (config.rangBeforeOwner && (config.mode ?? 0) === 0) return ["last-rang", "entity-owner", "default-user"];
  return all.slice(config.mode ?? 0);
}

export function chooseResponsible(input: ResponsibleInput, config: ResponsibleConfig = {}): ResponsibleResult {
  const ok = (id: number | undefined): id is number => id !== undefined && Number.isInteger(id) && id > 0 && (input.isActive ? input.isActive(id) : true);
  const crmLegs = input.conversations.filter((c) => !c.nonCrm && ok(c.userId));

  if (input.answered) {
    const last = crmLegs.filter((c) => c.answered).at(-1);
    if (last) return { userId: last.userId!, reason: "last-answered" };
  }

  const lineUser = input.line !== undefined ? config.defaultUserByLine?.[input.line] : undefined;
  if (config.lineOverridesChain && ok(lineUser)) return { userId: lineUser, reason: "line-default" };

  for (const step of missedChainFor(config)) {
    if (step === "entity-owner" && ok(input.entityOwnerId)) return { userId: input.entityOwnerId, reason: step };
    if (step === "last-rang") {
      const last = crmLegs.at(-1);
      if (last) return { userId: last.userId!, reason: step };
    }
    if (step === "default-user") {
      if (ok(lineUser)) return { userId: lineUser, reason: "line-default" };
      if (ok(config.defaultUserId)) return { userId: config.defaultUserId, reason: step };
    }
  }
  return { userId: undefined, reason: "none" };
}
