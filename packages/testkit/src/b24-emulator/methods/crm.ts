/**
 * CRM part of the portal (fact sheet §3): contacts and leads (get/list/add/update, multifield PHONE/EMAIL),
 * `crm.duplicate.findbycomm`, call activities (`crm.activity.get/list/update`), timeline comments, and the
 * helpers telephony uses: search by phone (contacts, then leads) and lead auto-creation.
 */
import { phoneKey } from "../phone.js";
import { phpInt } from "../php-query.js";
import { ListResult, type MethodContext, type MethodDef, type Params, type Portal } from "../portal.js";
import type { CrmRow, MultiField } from "../state.js";
import { matches, pick, splitPrefix } from "./user.js";

const PAGE = 50;
export type CrmKind = "CONTACT" | "LEAD";
export const OWNER_TYPE_ID: Record<string, number> = { LEAD: 1, DEAL: 2, CONTACT: 3, COMPANY: 4 };

function table(portal: Portal, kind: CrmKind): Map<number, CrmRow> {
  return kind === "CONTACT" ? portal.state.contacts : portal.state.leads;
}

function str(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return String(v);
  if (typeof v === "boolean") return v ? "Y" : "N";
  return v;
}

function multiView(items: MultiField[]): unknown[] {
  return items.map((m) => ({ ID: m.ID, VALUE_TYPE: m.VALUE_TYPE, VALUE: m.VALUE, TYPE_ID: m.TYPE_ID }));
}

export function crmView(row: CrmRow, withMulti = true): Record<string, unknown> {
  const out: Record<string, unknown> = { ID: String(row.ID) };
  for (const [k, v] of Object.entries(row.fields)) out[k] = str(v);
  out["HAS_PHONE"] = row.PHONE.length > 0 ? "Y" : "N";
  out["HAS_EMAIL"] = row.EMAIL.length > 0 ? "Y" : "N";
  if (withMulti) {
    if (row.PHONE.length) out["PHONE"] = multiView(row.PHONE);
    if (row.EMAIL.length) out["EMAIL"] = multiView(row.EMAIL);
  }
  return out;
}

/** CRM entities whose PHONE matches, contacts first, then leads (fact sheet §1.6). */
export function findByPhone(portal: Portal, phone: string): Array<{ kind: CrmKind; row: CrmRow }> {
  const key = phoneKey(phone);
  if (!key) return [];
  const out: Array<{ kind: CrmKind; row: CrmRow }> = [];
  for (const kind of ["CONTACT", "LEAD"] as const) {
    for (const row of table(portal, kind).values()) {
      if (row.PHONE.some((p) => phoneKey(p.VALUE) === key)) out.push({ kind, row });
    }
  }
  return out;
}

export function createEntity(portal: Portal, kind: CrmKind, fields: Record<string, unknown>): number {
  const id = portal.state.nextId(kind === "CONTACT" ? "contact" : "lead");
  const { PHONE, EMAIL, ID: _ignored, ...rest } = fields;
  const now = portal.date(portal.now());
  const base: Record<string, unknown> =
    kind === "LEAD"
      ? { TITLE: `Lead #${id}`, NAME: "", LAST_NAME: "", STATUS_ID: "NEW", SOURCE_ID: "", ASSIGNED_BY_ID: 1 }
      : { NAME: "", LAST_NAME: "", ASSIGNED_BY_ID: 1, TYPE_ID: "CLIENT", SOURCE_ID: "" };
  const row: CrmRow = {
    ID: id,
    fields: { ...base, ...rest, DATE_CREATE: now, DATE_MODIFY: now },
    PHONE: [],
    EMAIL: [],
  };
  row.PHONE = applyMulti(portal, [], PHONE, "PHONE");
  row.EMAIL = applyMulti(portal, [], EMAIL, "EMAIL");
  table(portal, kind).set(id, row);
  return id;
}

function applyMulti(portal: Portal, current: MultiField[], input: unknown, type: "PHONE" | "EMAIL"): MultiField[] {
  if (input === undefined || input === null) return current;
  const list = Array.isArray(input) ? input : typeof input === "object" ? Object.values(input) : [];
  let out = [...current];
  for (const item of list) {
    if (!item || typeof item !== "object") continue;
    const it = item as Record<string, unknown>;
    const id = it["ID"] !== undefined ? String(it["ID"]) : undefined;
    const existing = id ? out.find((m) => m.ID === id) : undefined;
    if (existing) {
      if (String(it["DELETE"] ?? "") === "Y" || it["VALUE"] === "") out = out.filter((m) => m !== existing);
      else {
        if (it["VALUE"] !== undefined) existing.VALUE = String(it["VALUE"]);
        if (it["VALUE_TYPE"] !== undefined) existing.VALUE_TYPE = String(it["VALUE_TYPE"]);
      }
    } else if (typeof it["VALUE"] === "string" && it["VALUE"] !== "") {
      out.push(...portal.state.multi([{ VALUE: it["VALUE"], VALUE_TYPE: String(it["VALUE_TYPE"] ?? "WORK") }], type));
    }
  }
  return out;
}

function idParam(ctx: MethodContext): number {
  const id = phpInt(pick(ctx.params, "id"));
  if (id <= 0) throw ctx.portal.business("ID is not defined or invalid.");
  return id;
}

function fieldsParam(ctx: MethodContext): Record<string, unknown> {
  const f = pick(ctx.params, "fields");
  if (!f || typeof f !== "object" || Array.isArray(f)) throw ctx.portal.business("Parameter 'fields' must be array.");
  return f as Record<string, unknown>;
}

interface ListSpec<T> {
  rows: T[];
  field: (row: T, name: string) => unknown;
  view: (row: T, select: string[] | null) => Record<string, unknown>;
  defaultOrder?: string;
}

function runList<T>(ctx: MethodContext, spec: ListSpec<T>): ListResult {
  const filter = pick(ctx.params, "filter");
  const conds: Array<[string, string, unknown]> = [];
  if (filter && typeof filter === "object" && !Array.isArray(filter)) {
    for (const [k, v] of Object.entries(filter)) {
      const [op, f] = splitPrefix(k);
      conds.push([op, f.toUpperCase(), v]);
    }
  }
  let rows = spec.rows.filter((r) =>
    conds.every(([op, f, v]) => {
      if (f === "PHONE") {
        const phones = spec.field(r, "PHONE") as MultiField[] | undefined;
        const hit = (phones ?? []).some((p) => phoneKey(p.VALUE) === phoneKey(String(v)));
        return op.startsWith("!") ? !hit : hit;
      }
      return matches(spec.field(r, f), op, v);
    }),
  );
  const order = pick(ctx.params, "order");
  const orderEntries: Array<[string, string]> =
    order && typeof order === "object" && !Array.isArray(order)
      ? Object.entries(order).map(([k, v]) => [k.toUpperCase(), String(v).toUpperCase()])
      : [[spec.defaultOrder ?? "ID", "ASC"]];
  rows = rows.sort((a, b) => {
    for (const [f, dir] of orderEntries) {
      const x = spec.field(a, f);
      const y = spec.field(b, f);
      const nx = Number(x);
      const ny = Number(y);
      const c = !Number.isNaN(nx) && !Number.isNaN(ny) ? nx - ny : String(x ?? "").localeCompare(String(y ?? ""));
      if (c !== 0) return dir === "DESC" ? -c : c;
    }
    return 0;
  });
  const selectRaw = pick(ctx.params, "select");
  const select = Array.isArray(selectRaw) ? selectRaw.map((s) => String(s).toUpperCase()) : null;
  const start = Math.max(0, phpInt(pick(ctx.params, "start")));
  const page = rows.slice(start, start + PAGE).map((r) => spec.view(r, select));
  return new ListResult(page, rows.length, start + PAGE < rows.length ? start + PAGE : undefined);
}

function projected(full: Record<string, unknown>, select: string[] | null, multi: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const all = !select || select.length === 0 || select.includes("*");
  for (const [k, v] of Object.entries(full)) {
    if (multi.includes(k)) {
      if (select?.includes(k)) out[k] = v;
      continue;
    }
    if (all || k === "ID" || select?.includes(k)) out[k] = v;
  }
  return out;
}

function entityMethods(kind: CrmKind): Record<string, MethodDef> {
  const prefix = `crm.${kind.toLowerCase()}`;
  return {
    [`${prefix}.get`]: {
      handler: (ctx) => {
        const id = idParam(ctx);
        const row = table(ctx.portal, kind).get(id);
        if (!row) throw ctx.portal.business("Not found");
        return crmView(row);
      },
    },
    [`${prefix}.list`]: {
      handler: (ctx) =>
        runList(ctx, {
          rows: [...table(ctx.portal, kind).values()],
          field: (r, f) => (f === "ID" ? r.ID : f === "PHONE" ? r.PHONE : f === "EMAIL" ? r.EMAIL : r.fields[f]),
          view: (r, select) => projected(crmView(r), select, ["PHONE", "EMAIL"]),
        }),
    },
    [`${prefix}.add`]: {
      handler: (ctx) => createEntity(ctx.portal, kind, fieldsParam(ctx)),
    },
    [`${prefix}.update`]: {
      handler: (ctx) => {
        const id = idParam(ctx);
        const row = table(ctx.portal, kind).get(id);
        if (!row) throw ctx.portal.business("Not found");
        const { PHONE, EMAIL, ID: _id, ...rest } = fieldsParam(ctx);
        Object.assign(row.fields, rest, { DATE_MODIFY: ctx.portal.date(ctx.portal.now()) });
        row.PHONE = applyMulti(ctx.portal, row.PHONE, PHONE, "PHONE");
        row.EMAIL = applyMulti(ctx.portal, row.EMAIL, EMAIL, "EMAIL");
        return true;
      },
    },
  };
}

function findByComm(ctx: MethodContext): unknown {
  const { portal } = ctx;
  const type = pick(ctx.params, "type");
  if (typeof type !== "string" || type === "") throw portal.business("Communication type is not defined");
  const T = type.toUpperCase();
  if (T !== "PHONE" && T !== "EMAIL") {
    throw portal.business(`Communication type '${type}' is not supported in current context`);
  }
  const valuesRaw = pick(ctx.params, "values");
  const values = Array.isArray(valuesRaw) ? valuesRaw.map(String) : valuesRaw && typeof valuesRaw === "object" ? Object.values(valuesRaw).map(String) : [];
  if (values.length === 0) throw portal.business("Communication values is not defined");
  const entityType = pick(ctx.params, "entity_type");
  const kinds: CrmKind[] =
    typeof entityType === "string" && entityType !== "" ? ([entityType.toUpperCase()].filter((k) => k === "CONTACT" || k === "LEAD") as CrmKind[]) : ["LEAD", "CONTACT"];
  const norm = (v: string) => (T === "PHONE" ? phoneKey(v) : v.trim().toLowerCase());
  const wanted = new Set(
    values
      .slice(0, 20)
      .map(norm)
      .filter((v) => v !== ""),
  );
  const out: Record<string, number[]> = {};
  for (const kind of kinds) {
    const ids: number[] = [];
    for (const row of table(portal, kind).values()) {
      const items = T === "PHONE" ? row.PHONE : row.EMAIL;
      if (items.some((m) => wanted.has(norm(m.VALUE)))) ids.push(row.ID);
    }
    if (ids.length) out[kind] = ids;
    if (ids.length >= 20) break;
  }
  return Object.keys(out).length ? out : [];
}

// ---- activities --------------------------------------------------------------------------------------------

export function activityView(a: Record<string, unknown>, withComms = true): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) {
    if (k === "COMMUNICATIONS" && !withComms) continue;
    out[k] = Array.isArray(v) || (v !== null && typeof v === "object") ? v : str(v);
  }
  return out;
}

export interface CallActivityInput {
  callId: string;
  ownerType: string;
  ownerId: number;
  responsibleId: number;
  incoming: boolean;
  type: number;
  phone: string;
  startMs: number;
  durationSec: number;
  statusCode: string;
  lineNumber: string | null;
}

export function createCallActivity(portal: Portal, c: CallActivityInput): number {
  const id = portal.state.nextId("activity");
  const missed = c.incoming && c.statusCode !== "200";
  const now = portal.date(portal.now());
  const endMs = c.startMs + c.durationSec * 1000;
  portal.state.activities.set(id, {
    ID: id,
    OWNER_ID: c.ownerId,
    OWNER_TYPE_ID: OWNER_TYPE_ID[c.ownerType] ?? 0,
    TYPE_ID: 2,
    PROVIDER_ID: "VOXIMPLANT_CALL",
    PROVIDER_TYPE_ID: "CALL",
    PROVIDER_GROUP_ID: null,
    ASSOCIATED_ENTITY_ID: 0,
    SUBJECT: `${missed ? "Missed call" : c.incoming ? "Incoming call" : "Outgoing call"} ${c.phone}`,
    CREATED: now,
    LAST_UPDATED: now,
    START_TIME: portal.date(c.startMs),
    END_TIME: portal.date(endMs),
    DEADLINE: portal.date(c.startMs),
    COMPLETED: missed ? "N" : "Y",
    STATUS: missed ? 1 : 2,
    RESPONSIBLE_ID: c.responsibleId,
    PRIORITY: 2,
    NOTIFY_TYPE: 0,
    NOTIFY_VALUE: 0,
    DESCRIPTION: "",
    DESCRIPTION_TYPE: 1,
    DIRECTION: c.incoming ? 1 : 2,
    LOCATION: "",
    SETTINGS: { DURATION: c.durationSec, STATUS_CODE: c.statusCode, LINE_NUMBER: c.lineNumber, CALL_TYPE: c.type },
    ORIGINATOR_ID: "",
    ORIGIN_ID: `VI_${c.callId}`,
    AUTHOR_ID: c.responsibleId,
    EDITOR_ID: c.responsibleId,
    STORAGE_TYPE_ID: 3,
    STORAGE_ELEMENT_IDS: [],
    FILES: [],
    COMMUNICATIONS: [
      {
        ID: portal.state.nextId("communication"),
        TYPE: "PHONE",
        VALUE: c.phone,
        ENTITY_ID: c.ownerId,
        ENTITY_TYPE_ID: OWNER_TYPE_ID[c.ownerType] ?? 0,
      },
    ],
  });
  return id;
}

const ACTIVITY_UPDATABLE = [
  "SUBJECT",
  "DESCRIPTION",
  "DESCRIPTION_TYPE",
  "COMPLETED",
  "RESPONSIBLE_ID",
  "START_TIME",
  "END_TIME",
  "PRIORITY",
  "ORIGIN_ID",
  "ORIGINATOR_ID",
  "STATUS",
  "LOCATION",
];

function activityMethods(): Record<string, MethodDef> {
  return {
    "crm.activity.get": {
      handler: (ctx) => {
        const id = idParam(ctx);
        const a = ctx.portal.state.activities.get(id);
        if (!a) throw ctx.portal.business("Not found");
        return activityView(a);
      },
    },
    "crm.activity.list": {
      handler: (ctx) =>
        runList(ctx, {
          rows: [...ctx.portal.state.activities.values()],
          field: (a, f) => a[f],
          defaultOrder: "START_TIME",
          view: (a, select) => projected(activityView(a), select, ["COMMUNICATIONS", "FILES"]),
        }),
    },
    "crm.activity.update": {
      handler: (ctx) => {
        const id = idParam(ctx);
        const a = ctx.portal.state.activities.get(id);
        if (!a) throw ctx.portal.business("Activity is not found");
        const fields = fieldsParam(ctx);
        if ("SUBJECT" in fields && String(fields["SUBJECT"] ?? "").trim() === "") {
          throw ctx.portal.business("The field SUBJECT is not defined or empty");
        }
        for (const k of ACTIVITY_UPDATABLE) {
          if (k in fields) a[k] = fields[k];
        }
        if ("COMPLETED" in fields) a["STATUS"] = String(fields["COMPLETED"]) === "Y" ? 2 : 1;
        a["LAST_UPDATED"] = ctx.portal.date(ctx.portal.now());
        return true;
      },
    },
  };
}

function timelineCommentAdd(ctx: MethodContext): number {
  const f = pick(ctx.params, "fields");
  if (!f || typeof f !== "object") throw ctx.portal.business("Parameter 'fields' must be array.");
  const fields = f as Params;
  const id = ctx.portal.state.nextId("comment");
  ctx.portal.state.comments.push({ ID: id, ...fields, CREATED: ctx.portal.date(ctx.portal.now()), AUTHOR_ID: ctx.auth.userId });
  return id;
}

export const crmMethods: Record<string, MethodDef> = {
  ...entityMethods("CONTACT"),
  ...entityMethods("LEAD"),
  ...activityMethods(),
  "crm.duplicate.findbycomm": { handler: findByComm },
  "crm.timeline.comment.add": { handler: timelineCommentAdd },
};
