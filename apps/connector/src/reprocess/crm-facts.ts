/**
 * What the CRM itself says about calls: the rows of `voximplant.statistic.get` (one per finished
 * call), keyed by EXTERNAL_CALL_ID — the tracker's call key the connector sends at register.
 * A period is read page by page (50 rows), the pages after the first in batches of up to 50
 * list commands; one call is looked up by its EXTERNAL_CALL_ID.
 */
import type { ChainCommand } from "../crm/index.js";
import type { CrmGateway } from "../crm/gateway.js";

export interface CrmCallFacts {
  callId: string;
  externalCallId: string;
  portalUserId: number;
  durationSec: number;
  statusCode: string;
  activityId?: number;
  recordFileId?: number;
  recordUrl?: string;
  startedAt?: string;
}

const PAGE = 50;

export function toFacts(row: Record<string, unknown>): CrmCallFacts | undefined {
  const ext = row.EXTERNAL_CALL_ID;
  if (typeof ext !== "string" || ext === "") return undefined;
  const num = (v: unknown) => (v === null || v === undefined || v === "" ? undefined : Number(v));
  const activityId = num(row.CRM_ACTIVITY_ID);
  const recordFileId = num(row.RECORD_FILE_ID);
  const recordUrl = typeof row.CALL_RECORD_URL === "string" && row.CALL_RECORD_URL !== "" ? row.CALL_RECORD_URL : undefined;
  return {
    callId: String(row.CALL_ID ?? ""),
    externalCallId: ext,
    portalUserId: Number(row.PORTAL_USER_ID ?? 0),
    durationSec: Number(row.CALL_DURATION ?? 0),
    statusCode: String(row.CALL_FAILED_CODE ?? ""),
    ...(activityId ? { activityId } : {}),
    ...(recordFileId ? { recordFileId } : {}),
    ...(recordUrl ? { recordUrl } : {}),
    ...(typeof row.CALL_START_DATE === "string" ? { startedAt: row.CALL_START_DATE } : {}),
  };
}

/** Adds rows to the map; a call finished twice (should never happen) keeps its first row. */
function collect(map: Map<string, CrmCallFacts>, rows: unknown): void {
  if (!Array.isArray(rows)) return;
  for (const r of rows) {
    const f = toFacts(r as Record<string, unknown>);
    if (f && !map.has(f.externalCallId)) map.set(f.externalCallId, f);
  }
}

/** Every finished call of the portal that started in [from, to), by EXTERNAL_CALL_ID. */
export async function crmCallsInPeriod(gateway: CrmGateway, from: Date, to: Date): Promise<Map<string, CrmCallFacts>> {
  const filter = { ">=CALL_START_DATE": from.toISOString(), "<CALL_START_DATE": to.toISOString() };
  const base = { FILTER: filter, SORT: "ID", ORDER: "ASC" };
  const map = new Map<string, CrmCallFacts>();
  const first = await gateway.callRaw<unknown[]>("voximplant.statistic.get", base);
  collect(map, first.result);
  const total = first.total ?? 0;
  const starts: number[] = [];
  for (let s = PAGE; s < total; s += PAGE) starts.push(s);
  for (let i = 0; i < starts.length; i += 50) {
    const commands: ChainCommand[] = starts.slice(i, i + 50).map((start) => ({ name: `p${start}`, method: "voximplant.statistic.get", params: { ...base, start } }));
    const res = await gateway.chain(commands);
    for (const c of commands) {
      const o = res[c.name];
      if (!o?.ok) throw o?.error ?? new Error(`voximplant.statistic.get page ${c.name} had no answer`);
      collect(map, o.result);
    }
  }
  return map;
}

/** The CRM's row for one call (any age), or undefined when the CRM has no finished call with this id. */
export async function crmCallByKey(gateway: CrmGateway, callKey: string): Promise<CrmCallFacts | undefined> {
  const rows = await gateway.call<unknown[]>("voximplant.statistic.get", { FILTER: { EXTERNAL_CALL_ID: callKey } });
  const map = new Map<string, CrmCallFacts>();
  collect(map, rows);
  return map.get(callKey);
}

/**
 * A click-to-call Bitrix24 registered itself (no EXTERNAL_CALL_ID): its row by the portal's CALL_ID,
 * filed under our call key.
 */
export async function crmCallByCallId(gateway: CrmGateway, callId: string, callKey: string): Promise<CrmCallFacts | undefined> {
  const rows = await gateway.call<unknown[]>("voximplant.statistic.get", { FILTER: { CALL_ID: callId } });
  const row = Array.isArray(rows) ? (rows[0] as Record<string, unknown> | undefined) : undefined;
  return row ? toFacts({ ...row, EXTERNAL_CALL_ID: callKey }) : undefined;
}
