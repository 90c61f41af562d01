/**
 * `telephony.externalCall.*` and `telephony.externalLine.*` (fact sheet §1), plus the portal side of click-to-call
 * (the portal registers a TYPE 1 call itself, then fires OnExternalCallStart — §2.1).
 */
import { createHash, randomBytes } from "node:crypto";
import { parseLenientDate } from "../dates.js";
import { RestError } from "../errors.js";
import { international, phoneKey, stripLetters } from "../phone.js";
import { isset, phpInt, phpTruthy } from "../php-query.js";
import type { MethodContext, MethodDef, Params, Portal } from "../portal.js";
import type { ActiveCall, LineRow } from "../state.js";
import type { CallRecord, RecordInfo } from "../types.js";
import { createCallActivity, createEntity, findByPhone } from "./crm.js";
import { deliverEvent } from "./events.js";

const DEDUP_MS = 30 * 60 * 1000;
const DIRECTIONS: Record<number, CallRecord["direction"]> = {
  1: "outgoing",
  2: "incoming",
  3: "incoming-redirect",
  4: "callback",
  5: "info",
};

/** `array_change_key_case($params, CASE_UPPER)`. */
function upper(params: Params): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(params)) out[k.toUpperCase()] = v;
  return out;
}

function resolveUserId(portal: Portal, p: Params): number {
  let userId = phpInt(p["USER_ID"]);
  if (userId === 0 && isset(p["USER_PHONE_INNER"])) {
    userId = portal.state.userByInner(String(p["USER_PHONE_INNER"]))?.ID ?? 0;
  }
  if (!userId) throw portal.business("USER_ID or USER_PHONE_INNER should be set");
  return userId;
}

/** PHP 8 loose `in_array($type, [1,2,3,4,5])`. */
function callType(v: unknown): number | null {
  let n: number;
  if (typeof v === "boolean") n = v ? 1 : 0;
  else if (typeof v === "number") n = v;
  else if (typeof v === "string" && /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(v)) n = Number(v);
  else return null;
  return Number.isInteger(n) && n >= 1 && n <= 5 ? n : null;
}

function newCallId(portal: Portal, seed: string): string {
  const md5 = createHash("md5")
    .update(`${seed}${randomBytes(16).toString("hex")}`)
    .digest("hex");
  return `externalCall.${md5}.${Math.floor(portal.now() / 1000)}`;
}

function lineFor(portal: Portal, appId: number | null, number: string): LineRow | undefined {
  return portal.state.lines.find((l) => l.REST_APP_ID === appId && l.NUMBER === number);
}

function upsertLine(portal: Portal, appId: number | null, number: string): LineRow {
  const existing = lineFor(portal, appId, number);
  if (existing) return existing;
  const row: LineRow = { ID: portal.state.nextId("line"), NUMBER: number, NAME: "", CRM_AUTO_CREATE: "Y", REST_APP_ID: appId };
  portal.state.lines.push(row);
  return row;
}

function show(call: CallRecord, userId: number, at: number): void {
  call.shows.push({ USER_ID: userId, at });
}

export interface RegisterInput {
  params: Params;
  appId: number | null;
  via: CallRecord["registeredBy"];
  /** Click-to-call: CRM auto-creation decided by the line (CRM_AUTO_CREATE). */
  crmCreateOverride?: boolean;
}

/** The register path shared by the REST method and the portal's own click-to-call registration. */
export function registerCall(portal: Portal, input: RegisterInput): Record<string, unknown> {
  const raw = input.params;
  const p = upper(raw);
  const state = portal.state;
  const userId = resolveUserId(portal, p);
  const type = callType(p["TYPE"]);
  if (type === null) throw portal.business("Unknown TYPE");
  const now = portal.now();
  let startMs = now;
  if (isset(p["CALL_START_DATE"]) && p["CALL_START_DATE"] !== "") {
    const parsed = typeof p["CALL_START_DATE"] === "string" ? parseLenientDate(p["CALL_START_DATE"], now, portal.tzOffsetMin) : null;
    if (parsed === null) throw portal.business("CALL_START_DATE should be in the ISO-8601 format");
    startMs = parsed;
  }
  const phone = stripLetters(typeof p["PHONE_NUMBER"] === "string" || typeof p["PHONE_NUMBER"] === "number" ? String(p["PHONE_NUMBER"]) : "");
  if (phone === "") throw portal.business("Unsupported phone number format");
  if (!state.activeUser(userId)) throw portal.business("User is not found or is not active");

  let lineNumber: string | null = null;
  let line: LineRow | undefined;
  if (isset(p["LINE_NUMBER"]) && String(p["LINE_NUMBER"]).trim() !== "") {
    lineNumber = String(p["LINE_NUMBER"]).trim().slice(0, 50);
    line = upsertLine(portal, input.appId, lineNumber);
  }
  const externalId = isset(p["EXTERNAL_CALL_ID"]) && String(p["EXTERNAL_CALL_ID"]) !== "" ? String(p["EXTERNAL_CALL_ID"]) : null;
  const key = phoneKey(phone) || phone;
  const wantShow = isset(p["SHOW"]) ? phpTruthy(p["SHOW"]) : true;

  // 30-minute de-duplication over the active calls
  for (const a of state.active.values()) {
    if (
      a.USER_ID === userId &&
      a.phoneKey === key &&
      a.TYPE === type &&
      a.REST_APP_ID === input.appId &&
      a.dateCreate > now - DEDUP_MS &&
      (lineNumber === null || a.LINE_NUMBER === lineNumber) &&
      (externalId === null || portal.options.dedupByExternalCallId === false || a.EXTERNAL_CALL_ID === externalId)
    ) {
      const rec = state.calls.get(a.CALL_ID);
      if (rec) {
        rec.reRegistrations++;
        if (wantShow) show(rec, userId, now);
      }
      portal.counters.callsDeduplicated++;
      return {
        CALL_ID: a.CALL_ID,
        CRM_CREATED_LEAD: null,
        CRM_CREATED_ENTITIES: [],
        CRM_ENTITY_TYPE: a.CRM_ENTITY_TYPE,
        CRM_ENTITY_ID: a.CRM_ENTITY_ID,
      };
    }
  }

  // CRM binding: explicit (both fields), else search by number, else optional lead auto-creation
  const internal = [...state.users.values()].some((u) => u.ACTIVE && u.UF_PHONE_INNER !== "" && u.UF_PHONE_INNER === phone);
  let crmType: string | null = "";
  let crmId: number | null = null;
  let createdLead: number | null = null;
  const created: Array<{ ENTITY_TYPE: string; ENTITY_ID: number }> = [];
  let leadError: string | null = null;
  const crmCreate = input.crmCreateOverride ?? phpInt(p["CRM_CREATE"]) === 1;
  if (!internal) {
    const explicitType = isset(p["CRM_ENTITY_TYPE"]) ? String(p["CRM_ENTITY_TYPE"]).toUpperCase() : "";
    const explicitId = phpInt(p["CRM_ENTITY_ID"]);
    if (explicitType !== "" && explicitId > 0) {
      crmType = explicitType;
      crmId = explicitId;
    } else {
      const found = findByPhone(portal, phone)[0];
      if (found) {
        crmType = found.kind;
        crmId = found.row.ID;
      } else if (crmCreate) {
        const direction = type === 1 ? "Outgoing" : type === 4 ? "Callback" : "Incoming";
        try {
          createdLead = createEntity(portal, "LEAD", {
            TITLE: `${phone} - ${direction} call`,
            ASSIGNED_BY_ID: userId,
            SOURCE_ID: isset(p["CRM_SOURCE"]) ? String(p["CRM_SOURCE"]) : "CALL",
            STATUS_ID: "NEW",
            OPENED: "Y",
            PHONE: [{ VALUE: phone, VALUE_TYPE: "WORK" }],
          });
          created.push({ ENTITY_TYPE: "LEAD", ENTITY_ID: createdLead });
          crmType = "LEAD";
          crmId = createdLead;
        } catch (e) {
          leadError = String(e);
        }
      }
    }
  }

  const callId = newCallId(portal, `${input.appId ?? ""}${userId}${phone}`);
  const active: ActiveCall = {
    CALL_ID: callId,
    USER_ID: userId,
    PHONE_NUMBER: phone,
    phoneKey: key,
    TYPE: type,
    REST_APP_ID: input.appId,
    LINE_NUMBER: lineNumber,
    EXTERNAL_CALL_ID: externalId,
    dateCreate: startMs,
    callStartDate: startMs,
    CRM_ENTITY_TYPE: crmType === "" ? null : crmType,
    CRM_ENTITY_ID: crmId,
    CRM_CREATED_LEAD: createdLead,
    CRM_CREATED_ENTITIES: created,
    crmEnabled: !internal,
    CRM_SOURCE: isset(p["CRM_SOURCE"]) ? String(p["CRM_SOURCE"]) : null,
    CALL_LIST_ID: phpInt(p["CALL_LIST_ID"]) > 0 ? phpInt(p["CALL_LIST_ID"]) : null,
  };
  state.active.set(callId, active);
  const record: CallRecord = {
    CALL_ID: callId,
    registerParams: { ...raw },
    registeredAt: now,
    registeredBy: input.via,
    direction: DIRECTIONS[type] ?? "incoming",
    TYPE: type,
    USER_ID: userId,
    PHONE_NUMBER: phone,
    LINE_NUMBER: line ? line.NUMBER : null,
    EXTERNAL_CALL_ID: externalId,
    REST_APP_ID: input.appId,
    CRM_ENTITY_TYPE: active.CRM_ENTITY_TYPE,
    CRM_ENTITY_ID: crmId,
    CRM_CREATED_LEAD: createdLead,
    reRegistrations: 0,
    shows: [],
    hides: [],
    records: [],
  };
  if (wantShow) show(record, userId, now);
  state.calls.set(callId, record);
  portal.counters.callsRegistered++;
  void deliverEvent(
    portal,
    "ONVOXIMPLANTCALLINIT",
    { CALL_ID: callId, CALL_TYPE: type, ACCOUNT_SEARCH_ID: userId, PHONE_NUMBER: phone, CALLER_ID: phone, REST_APP_ID: input.appId },
    input.appId,
  ).catch(() => undefined);
  const out: Record<string, unknown> = {
    CALL_ID: callId,
    CRM_CREATED_LEAD: createdLead,
    CRM_CREATED_ENTITIES: created,
    CRM_ENTITY_TYPE: crmType,
    CRM_ENTITY_ID: crmId,
  };
  if (leadError) out["LEAD_CREATION_ERROR"] = leadError;
  return out;
}

function register(ctx: MethodContext): unknown {
  return registerCall(ctx.portal, { params: ctx.params, appId: ctx.auth.appId, via: ctx.auth.kind });
}

function userIds(v: unknown, fallback: number): number[] {
  if (Array.isArray(v)) return v.map(phpInt).filter((n) => n > 0);
  if (v && typeof v === "object")
    return Object.values(v)
      .map(phpInt)
      .filter((n) => n > 0);
  const n = phpInt(v);
  return n > 0 ? [n] : [fallback];
}

function showHide(kind: "shows" | "hides") {
  return (ctx: MethodContext): boolean => {
    const p = upper(ctx.params);
    const callId = typeof p["CALL_ID"] === "string" ? p["CALL_ID"] : "";
    const active = ctx.portal.state.active.get(callId);
    if (!active) return false;
    const rec = ctx.portal.state.calls.get(callId);
    const at = ctx.portal.now();
    for (const id of userIds(p["USER_ID"], active.USER_ID)) rec?.[kind].push({ USER_ID: id, at });
    return true;
  };
}

function finish(ctx: MethodContext): unknown {
  const { portal } = ctx;
  const state = portal.state;
  const p = upper(ctx.params);
  const userId = resolveUserId(portal, p);
  const callId = p["CALL_ID"];
  if (typeof callId !== "string") throw new RestError(400, "INVALID_ARGUMENT", "CALL_ID must be a string");
  const call = state.active.get(callId);
  if (!call) throw portal.business("Call is not found (call should be registered prior to finishing");
  if (!state.activeUser(userId)) throw portal.business("User is not found or is not active");
  const now = portal.now();
  const rec = state.calls.get(callId);

  // hide the card for everyone who saw it
  if (rec) {
    const seen = new Set(rec.shows.map((s) => s.USER_ID));
    for (const hidden of rec.hides) seen.delete(hidden.USER_ID);
    for (const id of seen) rec.hides.push({ USER_ID: id, at: now });
  }

  const duration = phpInt(p["DURATION"]);
  const statusCode = isset(p["STATUS_CODE"]) && String(p["STATUS_CODE"]) !== "" ? String(p["STATUS_CODE"]) : duration > 0 ? "200" : "304";
  const cost = Number(p["COST"] ?? 0) || 0;
  const vote = phpInt(p["VOTE"]);
  const incoming = call.TYPE === 2 || call.TYPE === 3;

  // re-assign entities auto-created by this call to the finishing user
  for (const e of call.CRM_CREATED_ENTITIES) {
    const lead = e.ENTITY_TYPE === "LEAD" ? state.leads.get(e.ENTITY_ID) : undefined;
    if (lead) lead.fields["ASSIGNED_BY_ID"] = userId;
  }

  let activityId: number | null = null;
  const errors: Record<string, string> = {};
  if (call.crmEnabled && call.CRM_ENTITY_TYPE && call.CRM_ENTITY_ID) {
    activityId = createCallActivity(portal, {
      callId,
      ownerType: call.CRM_ENTITY_TYPE,
      ownerId: call.CRM_ENTITY_ID,
      responsibleId: userId,
      incoming,
      type: call.TYPE,
      phone: call.PHONE_NUMBER,
      startMs: call.callStartDate,
      durationSec: duration,
      statusCode,
      lineNumber: call.LINE_NUMBER,
    });
  }

  const statId = state.nextId("statistic");
  const row: Record<string, unknown> = {
    CALL_ID: callId,
    EXTERNAL_CALL_ID: call.EXTERNAL_CALL_ID,
    PORTAL_USER_ID: userId,
    PHONE_NUMBER: call.PHONE_NUMBER,
    PORTAL_NUMBER: call.LINE_NUMBER ?? `REST_APP:${call.REST_APP_ID ?? ""}`,
    INCOMING: String(call.TYPE),
    CALL_DURATION: duration,
    CALL_START_DATE: {},
    CALL_STATUS: duration > 0 ? 1 : 0,
    CALL_VOTE: vote,
    COST: cost,
    COST_CURRENCY: isset(p["COST_CURRENCY"]) ? String(p["COST_CURRENCY"]) : "",
    CALL_FAILED_CODE: statusCode,
    CALL_FAILED_REASON: isset(p["FAILED_REASON"]) ? String(p["FAILED_REASON"]) : "",
    REST_APP_ID: call.REST_APP_ID === null ? null : String(call.REST_APP_ID),
    REST_APP_NAME: call.REST_APP_ID === null ? false : portal.auth.appName,
    CRM_ACTIVITY_ID: activityId,
    COMMENT: null,
  };
  if (call.crmEnabled && call.CRM_ENTITY_TYPE && call.CRM_ENTITY_ID) {
    row["CRM_ENTITY_TYPE"] = call.CRM_ENTITY_TYPE;
    row["CRM_ENTITY_ID"] = call.CRM_ENTITY_ID;
  }
  row["ID"] = statId;
  if (Object.keys(errors).length) row["ERRORS"] = errors;

  state.active.delete(callId);
  state.stats.set(callId, { ID: statId, CALL_ID: callId, REST_APP_ID: call.REST_APP_ID, CRM_ACTIVITY_ID: activityId, row, recordFileId: null, callStartDate: call.callStartDate });
  portal.counters.callsFinished++;
  if (rec) {
    rec.finish = { params: { ...ctx.params }, at: now, result: row };
    if (activityId !== null) rec.activity = state.activities.get(activityId);
  }
  void deliverEvent(
    portal,
    "ONVOXIMPLANTCALLEND",
    {
      CALL_ID: callId,
      CALL_TYPE: call.TYPE,
      PHONE_NUMBER: call.PHONE_NUMBER,
      PORTAL_USER_ID: userId,
      CALL_DURATION: duration,
      CALL_FAILED_CODE: statusCode,
      CRM_ACTIVITY_ID: activityId,
    },
    call.REST_APP_ID,
  ).catch(() => undefined);

  // deprecated RECORD_URL: downloaded later by an agent
  if (typeof p["RECORD_URL"] === "string" && p["RECORD_URL"] !== "") {
    const url = p["RECORD_URL"];
    void download(portal, url).then(
      (file) => attach(portal, callId, nameFromUrl(url), file, "url", url),
      () => undefined,
    );
  }
  return row;
}

// ---- records ---------------------------------------------------------------------------------------------

const EXT_OK = /\.(wav|mp3)$/i;

function nameFromUrl(url: string): string {
  try {
    const last = new URL(url).pathname.split("/").filter(Boolean).pop() ?? "";
    return decodeURIComponent(last);
  } catch {
    return "";
  }
}

async function download(portal: Portal, url: string): Promise<{ content: Buffer; contentType: string }> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    throw portal.business(`SERVER_NOT_AVAILABLE: ${(e as Error).message}`);
  }
  if (res.status !== 200) {
    await res.arrayBuffer().catch(() => undefined);
    throw portal.business(`Server returns HTTP error code ${res.status}`);
  }
  return { content: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get("content-type") ?? "application/octet-stream" };
}

export function attach(portal: Portal, callId: string, name: string, file: { content: Buffer; contentType?: string }, via: RecordInfo["via"], url?: string): { FILE_ID: number } {
  const state = portal.state;
  const stat = state.stats.get(callId);
  if (!stat) throw portal.business("Call is not found in the statistic table. Looks like it is not finished yet.");
  if (stat.recordFileId !== null) state.files.delete(stat.recordFileId); // a repeated call replaces the record
  const id = state.nextId("file");
  const now = portal.now();
  const contentType = file.contentType ?? (/\.mp3$/i.test(name) ? "audio/mpeg" : "audio/wav");
  state.files.set(id, { ID: id, name, content: file.content, contentType, at: now });
  stat.recordFileId = id;
  if (stat.CRM_ACTIVITY_ID !== null) {
    const a = state.activities.get(stat.CRM_ACTIVITY_ID);
    if (a) {
      a["STORAGE_ELEMENT_IDS"] = [id];
      a["FILES"] = [{ id, url: `${portal.baseUrl}/_emulator/files/${id}` }];
    }
  }
  const rec = state.calls.get(callId);
  const info: RecordInfo = {
    FILE_ID: id,
    name,
    size: file.content.length,
    via,
    at: now,
    downloadUrl: `${portal.baseUrl}/_emulator/files/${id}`,
  };
  if (url) info.url = url;
  rec?.records.push(info);
  portal.counters.recordsAttached++;
  return { FILE_ID: id };
}

function decodeBase64Strict(s: string): Buffer | null {
  const clean = s.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) return null;
  return Buffer.from(clean, "base64");
}

async function attachRecord(ctx: MethodContext): Promise<unknown> {
  const { portal } = ctx;
  const p = upper(ctx.params);
  const callId = isset(p["CALL_ID"]) ? String(p["CALL_ID"]) : "";
  if (!portal.state.stats.get(callId)) {
    throw portal.business("Call is not found in the statistic table. Looks like it is not finished yet.");
  }
  if (isset(p["RECORD_URL"]) && String(p["RECORD_URL"]) !== "") {
    const url = String(p["RECORD_URL"]);
    const file = await download(portal, url);
    const name = isset(p["FILENAME"]) && String(p["FILENAME"]) !== "" ? String(p["FILENAME"]) : nameFromUrl(url);
    return attach(portal, callId, name, file, "url", url);
  }
  if (isset(p["FILENAME"])) {
    const name = String(p["FILENAME"]).trim();
    if (name === "") throw portal.business("File name is empty");
    if (!EXT_OK.test(name)) throw portal.business("Wrong file extension. Only wav and mp3 are allowed");
    if (!isset(p["FILE_CONTENT"])) {
      const token = randomBytes(16).toString("hex");
      portal.state.uploads.set(token, { token, CALL_ID: callId, FILENAME: name, created: portal.now() });
      const auth = ctx.auth.accessToken ?? randomBytes(16).toString("hex");
      return {
        uploadUrl: `${portal.baseUrl}/rest/upload.json?auth=${encodeURIComponent(auth)}&token=${encodeURIComponent(`telephony|${token}`)}`,
        fieldName: "file",
      };
    }
    const content = String(p["FILE_CONTENT"]);
    if (content === "" || content === "false") throw portal.business("File content is empty.");
    const decoded = decodeBase64Strict(content);
    if (!decoded) throw portal.business("File content is not properly encoded. Base64 encoding is expected.");
    if (decoded.length === 0) throw portal.business("File content is empty.");
    return attach(portal, callId, name, { content: decoded }, "content");
  }
  throw portal.business("Required parameters are not set. Request should contain or URL or FILENAME parameter");
}

/** POST multipart to the uploadUrl of attachRecord. */
export function completeUpload(portal: Portal, params: Params, files: Map<string, { filename: string; content: Buffer; contentType: string }>): unknown {
  const token = String(params["token"] ?? "").replace(/^telephony\|/, "");
  const pending = portal.state.uploads.get(token);
  if (!pending) throw new RestError(400, "ERROR_UPLOAD", "Upload token is invalid or already used");
  const file = files.get("file");
  if (!file) throw new RestError(400, "ERROR_UPLOAD", 'File is not found in the request (field "file")');
  const name = file.filename || pending.FILENAME;
  if (!EXT_OK.test(name)) throw portal.business("Wrong file extension. Only wav and mp3 are allowed");
  portal.state.uploads.delete(token);
  return attach(portal, pending.CALL_ID, name, { content: file.content, contentType: file.contentType }, "upload");
}

function searchCrmEntities(ctx: MethodContext): unknown {
  const p = upper(ctx.params);
  const phone = isset(p["PHONE_NUMBER"]) ? String(p["PHONE_NUMBER"]) : "";
  if (phone === "") throw ctx.portal.business("PHONE_NUMBER is empty");
  return findByPhone(ctx.portal, phone).map(({ kind, row }) => {
    const assigned = phpInt(row.fields["ASSIGNED_BY_ID"]);
    const u = ctx.portal.state.users.get(assigned);
    const name =
      kind === "LEAD" && !row.fields["NAME"] && !row.fields["LAST_NAME"]
        ? String(row.fields["TITLE"] ?? "")
        : [row.fields["NAME"], row.fields["LAST_NAME"]].filter((x) => x).join(" ");
    return {
      CRM_ENTITY_TYPE: kind,
      CRM_ENTITY_ID: row.ID,
      ASSIGNED_BY_ID: assigned,
      NAME: name,
      ASSIGNED_BY: {
        ID: assigned,
        TIMEMAN_STATUS: u?.TIMEMAN_STATUS ?? "UNAVAILABLE",
        USER_PHONE_INNER: u?.UF_PHONE_INNER ?? "",
        WORK_PHONE: u?.WORK_PHONE ?? "",
        PERSONAL_PHONE: u?.PERSONAL_PHONE ?? "",
        PERSONAL_MOBILE: u?.PERSONAL_MOBILE ?? "",
      },
    };
  });
}

// ---- external lines --------------------------------------------------------------------------------------

function lineAdd(ctx: MethodContext): unknown {
  const p = upper(ctx.params);
  const number = isset(p["NUMBER"]) ? String(p["NUMBER"]).trim() : "";
  if (number === "") throw ctx.portal.business("NUMBER should not be empty");
  if (lineFor(ctx.portal, ctx.auth.appId, number)) throw ctx.portal.business("Line already exists");
  const row: LineRow = {
    ID: ctx.portal.state.nextId("line"),
    NUMBER: number,
    NAME: isset(p["NAME"]) ? String(p["NAME"]) : "",
    CRM_AUTO_CREATE: !isset(p["CRM_AUTO_CREATE"]) || p["CRM_AUTO_CREATE"] === "Y" ? "Y" : "N",
    REST_APP_ID: ctx.auth.appId,
  };
  ctx.portal.state.lines.push(row);
  return { ID: row.ID };
}

function lineUpdate(ctx: MethodContext): unknown {
  const p = upper(ctx.params);
  if (!isset(p["NAME"]) && !isset(p["CRM_AUTO_CREATE"])) throw ctx.portal.business("There are no fields to update");
  const number = isset(p["NUMBER"]) ? String(p["NUMBER"]).trim() : "";
  if (number === "") throw ctx.portal.business("NUMBER should not be empty");
  const line = lineFor(ctx.portal, ctx.auth.appId, number);
  if (!line) throw ctx.portal.business(`Could not find line with number ${number}`);
  if (isset(p["NAME"])) line.NAME = String(p["NAME"]);
  if (isset(p["CRM_AUTO_CREATE"])) line.CRM_AUTO_CREATE = p["CRM_AUTO_CREATE"] === "Y" ? "Y" : "N";
  return { ID: String(line.ID) };
}

function lineDelete(ctx: MethodContext): unknown {
  const p = upper(ctx.params);
  const number = isset(p["NUMBER"]) ? String(p["NUMBER"]).trim() : "";
  if (number === "") throw ctx.portal.business("NUMBER should not be empty");
  const line = lineFor(ctx.portal, ctx.auth.appId, number);
  if (!line) throw ctx.portal.business(`Could not find line with number ${number}`);
  ctx.portal.state.lines = ctx.portal.state.lines.filter((l) => l !== line);
  return [];
}

function lineGet(ctx: MethodContext): unknown {
  return ctx.portal.state.lines.filter((l) => l.REST_APP_ID === ctx.auth.appId).map((l) => ({ NUMBER: l.NUMBER, NAME: l.NAME, CRM_AUTO_CREATE: l.CRM_AUTO_CREATE }));
}

// ---- click-to-call (portal side) --------------------------------------------------------------------------

/** A type alias (not an interface) so the inspection API's JSON body converts to it. */
export type ClickToCallInput = {
  USER_ID: number;
  PHONE_NUMBER: string;
  LINE_NUMBER: string;
  CRM_ENTITY_TYPE?: string;
  CRM_ENTITY_ID?: number;
  CALL_LIST_ID?: number;
};

/**
 * A user clicks a number in CRM: the portal registers a TYPE 1 call for the app itself (CRM auto-creation from the
 * line's CRM_AUTO_CREATE), then emits ONEXTERNALCALLSTART with the CALL_ID. Resolves once delivery was attempted.
 */
export async function startClickToCall(portal: Portal, input: ClickToCallInput): Promise<string> {
  const appId = portal.auth.appId;
  const lineNumber = input.LINE_NUMBER.trim();
  const line = lineNumber === "" ? undefined : lineFor(portal, appId, lineNumber);
  if (lineNumber !== "" && !line) throw new Error(`LINE_NOT_FOUND: Outgoing line is not found (${lineNumber})`);
  const params: Params = { USER_ID: input.USER_ID, PHONE_NUMBER: input.PHONE_NUMBER, TYPE: 1, SHOW: 1 };
  if (lineNumber !== "") params["LINE_NUMBER"] = lineNumber;
  if (input.CRM_ENTITY_TYPE && input.CRM_ENTITY_ID) {
    params["CRM_ENTITY_TYPE"] = input.CRM_ENTITY_TYPE;
    params["CRM_ENTITY_ID"] = input.CRM_ENTITY_ID;
  }
  if (input.CALL_LIST_ID) params["CALL_LIST_ID"] = input.CALL_LIST_ID;
  const reg = registerCall(portal, { params, appId, via: "portal", crmCreateOverride: (line?.CRM_AUTO_CREATE ?? "Y") === "Y" });
  const callId = String(reg["CALL_ID"]);
  const rec = portal.state.calls.get(callId);
  if (rec) rec.clickToCall = true;
  const data: Record<string, unknown> = {
    PHONE_NUMBER: input.PHONE_NUMBER,
    PHONE_NUMBER_INTERNATIONAL: international(input.PHONE_NUMBER),
    EXTENSION: "",
    USER_ID: input.USER_ID,
    CALL_LIST_ID: input.CALL_LIST_ID ?? 0,
    LINE_NUMBER: lineNumber,
    IS_MOBILE: false,
    CALL_ID: callId,
    CRM_ENTITY_TYPE: reg["CRM_ENTITY_TYPE"],
    CRM_ENTITY_ID: reg["CRM_ENTITY_ID"],
    CRM_CREATED_LEAD: reg["CRM_CREATED_LEAD"],
    CRM_CREATED_ENTITIES: reg["CRM_CREATED_ENTITIES"],
  };
  await deliverEvent(portal, "ONEXTERNALCALLSTART", data, appId);
  return callId;
}

export const telephonyMethods: Record<string, MethodDef> = {
  "telephony.externalcall.register": { handler: register, telephonyGate: true },
  "telephony.externalcall.finish": { handler: finish, telephonyGate: true },
  "telephony.externalcall.show": { handler: showHide("shows") },
  "telephony.externalcall.hide": { handler: showHide("hides") },
  "telephony.externalcall.attachrecord": { handler: attachRecord },
  "telephony.externalcall.searchcrmentities": { handler: searchCrmEntities },
  "telephony.externalline.add": { handler: lineAdd, telephonyGate: true },
  "telephony.externalline.update": { handler: lineUpdate, telephonyGate: true },
  "telephony.externalline.delete": { handler: lineDelete, telephonyGate: true },
  "telephony.externalline.get": { handler: lineGet, telephonyGate: true },
};
