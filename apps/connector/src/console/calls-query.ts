import { HttpError } from "@asterisk-b24/common";
import type { CallOutcomeStatus, CallSearch } from "../journal/index.js";
import { CALL_STATUSES, intParam } from "../http/query.js";
import type { ExtensionMap } from "../directory/extension-map.js";
import type { CachedUser } from "../directory/users-cache.js";

/** A wrong `/api/calls` parameter: 400 `bad_query` with a message naming the parameter. */
export class CallsQueryError extends HttpError {
  constructor(message: string) {
    super(400, "bad_query", message);
  }
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
}

/** A time given as milliseconds or anything Date.parse reads (ISO 8601, "2026-12-02T10:00"). */
function time(v: unknown, name: string): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const n = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  if (!Number.isFinite(n)) throw new CallsQueryError(`${name} must be a time (ms or ISO 8601), got ${JSON.stringify(s)}`);
  return n;
}

/**
 * The manager filter: a Bitrix24 user ID, a PBX extension (mapped through extensionMap /
 * extensionRules to the user's inner number) or part of a user's name → the matching user IDs.
 */
export function managerIds(query: string, users: CachedUser[], map: ExtensionMap): string[] {
  const q = query.trim().toLowerCase();
  const ids = new Set<string>();
  if (/^\d+$/.test(q)) {
    if (users.some((u) => String(u.id) === q)) ids.add(q);
    const inner = map.toB24(q);
    for (const u of users) if (u.innerPhone === inner || u.innerPhone === q) ids.add(String(u.id));
    if (ids.size === 0) ids.add(q);
  } else {
    for (const u of users) if (u.name.toLowerCase().includes(q)) ids.add(String(u.id));
  }
  return [...ids];
}

/** `/api/calls` query → journal search: number, manager, status (comma list), from, to, limit. */
export function callsSearch(query: Record<string, unknown>, users: CachedUser[], map: ExtensionMap): CallSearch {
  const out: CallSearch = { limit: intParam(query, "limit", { min: 1, max: 10_000, fallback: 100 }) };
  const from = time(query.from, "from");
  const to = time(query.to, "to");
  if (from !== undefined) out.fromMs = from;
  if (to !== undefined) out.toMs = to;
  if (query.status !== undefined && typeof query.status !== "string")
    throw new CallsQueryError(`status must be one of ${CALL_STATUSES.join(", ")}, got ${JSON.stringify(query.status)}`);
  const status = str(query.status);
  if (status) {
    const list = status.split(",").map((s) => s.trim());
    const bad = list.find((s) => !(CALL_STATUSES as readonly string[]).includes(s));
    if (bad !== undefined) throw new CallsQueryError(`status must be one of ${CALL_STATUSES.join(", ")}, got ${JSON.stringify(bad)}`);
    out.statuses = list as CallOutcomeStatus[];
  }
  const number = str(query.number);
  if (number) out.number = number;
  const manager = str(query.manager);
  if (manager) out.responsibleUserIds = managerIds(manager, users, map);
  return out;
}
