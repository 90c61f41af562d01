/**
 * Users ↔ extensions: the Bitrix24 users (user.get: UF_PHONE_INNER) against the PBX extensions the
 * connector saw on calls (mapped to Bitrix24 inner numbers by its extensionMap). The rows that lose
 * cards: a user without an inner number, and an extension that maps to nobody. Pure (browser + tests).
 */
export interface PortalUser {
  ID: string;
  NAME?: string | null;
  LAST_NAME?: string | null;
  ACTIVE?: boolean | string;
  UF_PHONE_INNER?: string | null;
}

export interface SeenExtension {
  extension: string;
  b24Inner: string;
  calls: number;
  answered: number;
}

export type MatchState = "ok" | "no-inner-number" | "no-calls-seen" | "maps-to-nobody" | "duplicate-inner-number";

export interface MatchRow {
  state: MatchState;
  userId: string;
  userName: string;
  inner: string;
  extension: string;
  calls: number;
}

function isActive(u: PortalUser): boolean {
  return u.ACTIVE === undefined || u.ACTIVE === true || u.ACTIVE === "Y" || u.ACTIVE === "true";
}

export function matchUsersAndExtensions(users: PortalUser[], extensions: SeenExtension[]): MatchRow[] {
  const rows: MatchRow[] = [];
  const active = users.filter(isActive);
  const byInner = new Map<string, PortalUser[]>();
  for (const u of active) {
    const inner = (u.UF_PHONE_INNER ?? "").trim();
    if (inner) byInner.set(inner, [...(byInner.get(inner) ?? []), u]);
  }
  const byB24 = new Map(extensions.map((e) => [e.b24Inner, e]));
  for (const u of active) {
    const name = `${u.NAME ?? ""} ${u.LAST_NAME ?? ""}`.trim() || `user ${u.ID}`;
    const inner = (u.UF_PHONE_INNER ?? "").trim();
    const ext = inner ? byB24.get(inner) : undefined;
    const state: MatchState = !inner ? "no-inner-number" : (byInner.get(inner)?.length ?? 0) > 1 ? "duplicate-inner-number" : ext ? "ok" : "no-calls-seen";
    rows.push({ state, userId: String(u.ID), userName: name, inner, extension: ext?.extension ?? "", calls: ext?.calls ?? 0 });
  }
  for (const e of extensions) {
    if (!byInner.has(e.b24Inner)) rows.push({ state: "maps-to-nobody", userId: "", userName: "", inner: e.b24Inner, extension: e.extension, calls: e.calls });
  }
  const order: Record<MatchState, number> = { "maps-to-nobody": 0, "no-inner-number": 1, "duplicate-inner-number": 2, "no-calls-seen": 3, ok: 4 };
  return rows.sort((a, b) => order[a.state] - order[b.state] || (a.inner || a.extension).localeCompare(b.inner || b.extension, undefined, { numeric: true }));
}

export const MATCH_TEXT: Record<MatchState, { text: string; tone: "ok" | "warn" | "bad" }> = {
  ok: { text: "OK", tone: "ok" },
  "no-inner-number": { text: "no inner number: calls cannot reach this user's card", tone: "bad" },
  "duplicate-inner-number": { text: "inner number used by several users", tone: "bad" },
  "no-calls-seen": { text: "no calls seen on this number yet", tone: "warn" },
  "maps-to-nobody": { text: "extension maps to nobody: its calls lose the card", tone: "bad" },
};
