import type { CachedUser } from "../directory/users-cache.js";
import type { ExtensionMap } from "../directory/extension-map.js";
import type { CallRecord } from "../tracker/model.js";
import type { JournalEntry } from "../journal/index.js";

/**
 * Users ↔ extensions: which Bitrix24 users the PBX can reach and which PBX extensions reach
 * nobody — the most common cause of lost call cards. An extension maps through
 * product.extensionMap / extensionRules (toB24) to the inner number a user carries.
 */
export interface UserRow {
  id: number;
  name: string;
  /** UF_PHONE_INNER, "" when the user has none. */
  innerPhone: string;
  /** The PBX extension that reaches this user (toPbx), "" without an inner number. */
  pbxExtension: string;
  /** Seen on the PBX (live calls or the journal) lately. */
  seen: boolean;
  /** Calls from pbxExtension find this user again (false when the map sends that extension elsewhere). */
  reachable: boolean;
}

export interface ExtensionRow {
  extension: string;
  /** The Bitrix24 inner number it maps to. */
  mapsTo: string;
  /** Where it was seen: live calls, journal notes. */
  seenIn: string[];
  userId?: number;
  userName?: string;
}

export interface UsersExtensions {
  users: UserRow[];
  /** Users without an internal number (cards can never reach them). */
  usersWithoutExtension: UserRow[];
  extensions: ExtensionRow[];
  /** Extensions seen on the PBX that map to nobody. */
  unmappedExtensions: ExtensionRow[];
}

/** Extensions of employees' legs in live calls. */
export function extensionsInLiveCalls(calls: Readonly<Record<string, CallRecord>>): string[] {
  const out = new Set<string>();
  for (const call of Object.values(calls)) for (const conv of Object.values(call.conversations)) if (conv.ext) out.add(conv.ext);
  return [...out];
}

const NO_USER_NOTE = /^extension (\S+) has no Bitrix24 user/;

/** Extensions the pipeline met: the conversations in stage events and its "has no Bitrix24 user" notes. */
export function extensionsInJournal(entries: Iterable<JournalEntry>, stages: Iterable<unknown>): string[] {
  const out = new Set<string>();
  for (const e of entries) {
    const m = e.kind === "note" && e.text ? NO_USER_NOTE.exec(e.text) : null;
    if (m?.[1]) out.add(m[1]);
  }
  for (const s of stages) {
    const convs = (s as { call?: { conversations?: Record<string, { extension?: string }> } }).call?.conversations ?? {};
    for (const c of Object.values(convs)) if (c.extension) out.add(c.extension);
  }
  return [...out];
}

export function usersExtensions(users: CachedUser[], map: ExtensionMap, seen: { live: string[]; journal: string[] }): UsersExtensions {
  const byInner = new Map<string, CachedUser>();
  for (const u of [...users].sort((a, b) => a.id - b.id)) if (u.innerPhone && !byInner.has(u.innerPhone)) byInner.set(u.innerPhone, u);
  const where = new Map<string, string[]>();
  for (const [source, list] of [
    ["live calls", seen.live],
    ["journal", seen.journal],
  ] as const) {
    for (const ext of list) where.set(ext, [...(where.get(ext) ?? []), source]);
  }
  const extensions: ExtensionRow[] = [...where.entries()]
    .map(([extension, seenIn]) => {
      const mapsTo = map.toB24(extension);
      const user = byInner.get(mapsTo);
      return { extension, mapsTo, seenIn, ...(user ? { userId: user.id, userName: user.name } : {}) };
    })
    .sort((a, b) => a.extension.localeCompare(b.extension, "en", { numeric: true }));
  const seenUsers = new Set(extensions.map((e) => e.userId).filter((id) => id !== undefined));
  const rows: UserRow[] = [...users]
    .sort((a, b) => a.id - b.id)
    .map((u) => {
      const pbxExtension = u.innerPhone ? map.toPbx(u.innerPhone) : "";
      const reachable = u.innerPhone !== undefined && map.toB24(pbxExtension) === u.innerPhone && byInner.get(u.innerPhone)?.id === u.id;
      return { id: u.id, name: u.name, innerPhone: u.innerPhone ?? "", pbxExtension, seen: seenUsers.has(u.id), reachable };
    });
  return {
    users: rows,
    usersWithoutExtension: rows.filter((r) => r.innerPhone === ""),
    extensions,
    unmappedExtensions: extensions.filter((e) => e.userId === undefined),
  };
}
