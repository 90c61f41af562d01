/**
 * `voximplant.statistic.get`: the portal's call history (one row per finished call, written by
 * `telephony.externalCall.finish`). FILTER with the list operators (`>=CALL_START_DATE`, `!…`, `%…`),
 * SORT + ORDER, paging by 50 with `start`, top-level `total` / `next`. Rows come back the way the
 * portal's ORM returns them: numbers as strings, dates as `date('c')` in the portal zone, null when
 * empty. Fields: apidocs.bitrix24.com/api-reference/telephony/voximplant-statistic-get.html.
 */
import { parseLenientDate } from "../dates.js";
import { phpInt } from "../php-query.js";
import { ListResult, type MethodContext, type MethodDef, type Portal } from "../portal.js";
import type { StatRow } from "../state.js";
import { matches, pick, splitPrefix } from "./user.js";

const PAGE = 50;

/** Fields the method filters and sorts by (CALL_TYPE is not sortable). */
const FIELDS = new Set([
  "ID",
  "CALL_ID",
  "EXTERNAL_CALL_ID",
  "CALL_CATEGORY",
  "PORTAL_USER_ID",
  "PORTAL_NUMBER",
  "PHONE_NUMBER",
  "CALL_TYPE",
  "CALL_DURATION",
  "CALL_START_DATE",
  "CALL_FAILED_CODE",
  "CALL_FAILED_REASON",
  "CALL_VOTE",
  "COST",
  "COST_CURRENCY",
  "CRM_ENTITY_TYPE",
  "CRM_ENTITY_ID",
  "CRM_ACTIVITY_ID",
  "REST_APP_ID",
  "REST_APP_NAME",
  "COMMENT",
  "RECORD_FILE_ID",
]);

function str(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

/** One statistics row as the method returns it. */
export function statisticView(portal: Portal, s: StatRow): Record<string, unknown> {
  const r = s.row;
  const fileId = s.recordFileId;
  return {
    ID: String(s.ID),
    CALL_ID: s.CALL_ID,
    EXTERNAL_CALL_ID: str(r["EXTERNAL_CALL_ID"]),
    CALL_CATEGORY: "external",
    PORTAL_USER_ID: str(r["PORTAL_USER_ID"]),
    PORTAL_NUMBER: str(r["PORTAL_NUMBER"]),
    PHONE_NUMBER: str(r["PHONE_NUMBER"]),
    CALL_TYPE: str(r["INCOMING"]),
    CALL_DURATION: str(r["CALL_DURATION"]),
    CALL_START_DATE: portal.date(s.callStartDate),
    CALL_STATUS: str(r["CALL_STATUS"]),
    CALL_RECORD_URL: fileId === null ? "" : `${portal.baseUrl}/_emulator/files/${fileId}`,
    RECORD_FILE_ID: str(fileId),
    CALL_VOTE: str(r["CALL_VOTE"]),
    COST: str(r["COST"]),
    COST_CURRENCY: str(r["COST_CURRENCY"]),
    CALL_FAILED_CODE: str(r["CALL_FAILED_CODE"]),
    CALL_FAILED_REASON: str(r["CALL_FAILED_REASON"]),
    CRM_ENTITY_TYPE: str(r["CRM_ENTITY_TYPE"]),
    CRM_ENTITY_ID: str(r["CRM_ENTITY_ID"]),
    CRM_ACTIVITY_ID: str(s.CRM_ACTIVITY_ID),
    REST_APP_ID: str(r["REST_APP_ID"]),
    REST_APP_NAME: r["REST_APP_NAME"] === false ? null : str(r["REST_APP_NAME"]),
    TRANSCRIPT_PENDING: "N",
    TRANSCRIPT_ID: null,
    COMMENT: str(r["COMMENT"]),
  };
}

/** The comparable value of a field: dates as ms (filter values are parsed leniently like strtotime). */
function fieldValue(view: Record<string, unknown>, s: StatRow, field: string): unknown {
  if (field === "CALL_START_DATE") return s.callStartDate;
  return view[field];
}

function statisticGet(ctx: MethodContext): ListResult {
  const { portal } = ctx;
  const filter = pick(ctx.params, "FILTER");
  const conds: Array<[string, string, unknown]> = [];
  if (filter !== undefined && filter !== "" && (typeof filter !== "object" || Array.isArray(filter) || filter === null)) {
    throw portal.business("FILTER must be an object");
  }
  for (const [k, v] of Object.entries((filter ?? {}) as Record<string, unknown>)) {
    const [op, f] = splitPrefix(k);
    const field = f.toUpperCase();
    if (!FIELDS.has(field)) throw portal.business(`Unknown field definition \`${f}\``);
    let wanted = v;
    if (field === "CALL_START_DATE") {
      const parse = (x: unknown) => {
        const ms = typeof x === "string" ? parseLenientDate(x, portal.now(), portal.tzOffsetMin) : null;
        if (ms === null) throw portal.business(`CALL_START_DATE filter value is not a date: ${String(x)}`);
        return ms;
      };
      wanted = Array.isArray(v) ? v.map(parse) : parse(v);
    }
    conds.push([op, field, wanted]);
  }
  const rows = [...portal.state.stats.values()].map((s) => ({ s, view: statisticView(portal, s) }));
  let hit = rows.filter(({ s, view }) => conds.every(([op, f, v]) => matches(fieldValue(view, s, f), op, v)));
  const sortRaw = pick(ctx.params, "SORT");
  if (sortRaw !== undefined && sortRaw !== "") {
    const sort = String(sortRaw).toUpperCase();
    if (!FIELDS.has(sort) || sort === "CALL_TYPE") throw portal.business(`Unknown field definition \`${String(sortRaw)}\``);
    const desc = String(pick(ctx.params, "ORDER") ?? "ASC").toUpperCase() === "DESC";
    hit = hit.sort((a, b) => {
      const x = fieldValue(a.view, a.s, sort);
      const y = fieldValue(b.view, b.s, sort);
      const nx = Number(x);
      const ny = Number(y);
      const c = x !== null && y !== null && !Number.isNaN(nx) && !Number.isNaN(ny) ? nx - ny : String(x ?? "").localeCompare(String(y ?? ""));
      return desc ? -c : c;
    });
  }
  const start = Math.max(0, phpInt(pick(ctx.params, "start")));
  const page = hit.slice(start, start + PAGE).map((r) => r.view);
  return new ListResult(page, hit.length, start + PAGE < hit.length ? start + PAGE : undefined);
}

export const voximplantMethods: Record<string, MethodDef> = {
  "voximplant.statistic.get": { handler: statisticGet },
};
