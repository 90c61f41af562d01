/** `user.get` / `user.current` (fact sheet §3): FILTER with prefixes, paging by 50 with `start`, `next`, `total`. */
import { ListResult, type MethodContext, type MethodDef, type Params } from "../portal.js";
import { phpInt } from "../php-query.js";
import { invalidCredentials } from "../errors.js";
import type { UserRow } from "../state.js";

const PAGE = 50;
const PREFIXES = [">=", "<=", "!=%", "!%=", "!=", "!%", "!@", "=%", "%=", ">", "<", "@", "%", "=", "!"];

export function pick(params: Params, name: string): unknown {
  if (name in params) return params[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(params)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

export function splitPrefix(key: string): [string, string] {
  for (const p of PREFIXES) if (key.startsWith(p) && key.length > p.length) return [p, key.slice(p.length)];
  return ["", key];
}

function truthyFlag(v: unknown): boolean {
  if (typeof v === "boolean") return v;
  const s = String(v).toUpperCase();
  return s === "Y" || s === "TRUE" || s === "1";
}

/** Generic comparison used by the list filters of all entities. */
export function matches(fieldValue: unknown, op: string, wanted: unknown): boolean {
  const negate = op.startsWith("!");
  const core = negate ? op.slice(1) : op;
  let ok: boolean;
  const fv = fieldValue === null || fieldValue === undefined ? "" : fieldValue;
  if (core === "@") {
    const list = Array.isArray(wanted) ? wanted : String(wanted).split(",");
    ok = list.map(String).includes(String(fv));
  } else if (core === "%" || core === "=%" || core === "%=") {
    const w = String(wanted).toLowerCase().replace(/%/g, "");
    const f = String(fv).toLowerCase();
    ok = core === "%" ? f.includes(w) : core === "=%" ? f.startsWith(w) : f.endsWith(w);
  } else if (core === ">" || core === "<" || core === ">=" || core === "<=") {
    const a = Number(fv);
    const b = Number(wanted);
    const [x, y] = Number.isNaN(a) || Number.isNaN(b) ? [String(fv), String(wanted)] : [a, b];
    ok = core === ">" ? x > y : core === "<" ? x < y : core === ">=" ? x >= y : x <= y;
  } else if (Array.isArray(wanted)) {
    ok = wanted.map(String).includes(String(fv));
  } else {
    ok = typeof fv === "boolean" ? fv === truthyFlag(wanted) : String(fv) === String(wanted);
  }
  return negate ? !ok : ok;
}

export function userView(u: UserRow, tz: (ms: number) => string): Record<string, unknown> {
  return {
    ID: String(u.ID),
    XML_ID: null,
    ACTIVE: u.ACTIVE,
    NAME: u.NAME,
    LAST_NAME: u.LAST_NAME,
    SECOND_NAME: "",
    EMAIL: u.EMAIL,
    LAST_LOGIN: tz(Date.UTC(2026, 0, 1)),
    DATE_REGISTER: tz(Date.UTC(2025, 0, 1)),
    IS_ONLINE: "N",
    TIME_ZONE_OFFSET: "0",
    PERSONAL_MOBILE: u.PERSONAL_MOBILE,
    PERSONAL_PHONE: u.PERSONAL_PHONE,
    WORK_PHONE: u.WORK_PHONE,
    UF_PHONE_INNER: u.UF_PHONE_INNER === "" ? null : u.UF_PHONE_INNER,
    UF_DEPARTMENT: [1],
    USER_TYPE: "employee",
  };
}

function userGet(ctx: MethodContext): ListResult | unknown[] {
  const { portal, params } = ctx;
  const filter = pick(params, "FILTER") ?? {};
  const conditions: Array<[string, string, unknown]> = [];
  if (filter && typeof filter === "object" && !Array.isArray(filter)) {
    for (const [k, v] of Object.entries(filter)) {
      const [op, field] = splitPrefix(k.toUpperCase());
      conditions.push([op, field, v]);
    }
  }
  // legacy form: plain field params at top level (user.get?ID=1)
  for (const key of ["ID", "UF_PHONE_INNER", "ACTIVE", "EMAIL"]) {
    if (key in params && !conditions.some((c) => c[1] === key)) conditions.push(["", key, params[key]]);
  }
  let rows = [...portal.state.users.values()].filter((u) =>
    conditions.every(([op, field, wanted]) => {
      if (field === "NAME_SEARCH" || field === "FIND") {
        const w = String(wanted).toLowerCase();
        return `${u.NAME} ${u.LAST_NAME}`.toLowerCase().includes(w);
      }
      if (field === "USER_TYPE") return matches("employee", op, wanted);
      if (field === "IS_ONLINE") return matches("N", op, wanted);
      const value = Reflect.get(u, field) as unknown;
      return matches(value, op, wanted);
    }),
  );
  const sortField = String(pick(params, "SORT") ?? "ID").toUpperCase();
  const desc = String(pick(params, "ORDER") ?? "ASC").toUpperCase() === "DESC";
  rows = rows.sort((a, b) => {
    const x = Reflect.get(a, sortField) as unknown;
    const y = Reflect.get(b, sortField) as unknown;
    const c = typeof x === "number" && typeof y === "number" ? x - y : String(x ?? "").localeCompare(String(y ?? ""));
    return desc ? -c : c;
  });
  const startRaw = pick(params, "start");
  const start = phpInt(startRaw);
  const view = (u: UserRow) => userView(u, (ms) => portal.date(ms));
  if (start === -1) return rows.slice(0, PAGE).map(view);
  const from = Math.max(0, start);
  const page = rows.slice(from, from + PAGE).map(view);
  return new ListResult(page, rows.length, from + PAGE < rows.length ? from + PAGE : undefined);
}

/**
 * The user the request's credential belongs to: the webhook's owner, or the user an OAuth token
 * was issued to (the app's installer for the app's own token). Strict: a credential whose user
 * is not on the portal, or is deactivated, does not work (as on Bitrix24, where a fired
 * employee's webhooks and tokens stop answering).
 */
function userCurrent(ctx: MethodContext): unknown {
  const u = ctx.portal.state.users.get(ctx.auth.userId);
  if (!u || !u.ACTIVE) throw invalidCredentials();
  return userView(u, (ms) => ctx.portal.date(ms));
}

export const userMethods: Record<string, MethodDef> = {
  "user.get": { handler: userGet },
  "user.current": { handler: userCurrent },
};
