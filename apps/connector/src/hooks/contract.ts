import type { CallFull } from "./call-full.js";
import { HookBadOutputError } from "./errors.js";
import { excerpt, isEmptyData, isPlainObject, showValue, type Json, type JsonObject } from "./json.js";
import type { CallStage, HookName } from "./names.js";

/**
 * The contract of each customization point: what a hook receives, what it may return, and
 * what the connector uses when the hook is off or fails. Shapes follow the Itgrix_bx 3.10
 * reference so a customer's hook keeps working; where Itgrix is silent we say what we chose.
 *
 * Envelope (every hook): `{"data": …, "state": "success"}`.
 *  - any other `state`, a non-object, or data that breaks the rules below → HookBadOutputError
 *    (the default is used);
 *  - empty data (`{}`, `[]`, `null`, missing) → "cancelled by customization": the CRM request the
 *    hook shapes is not sent (post_registration: only `state` matters, data is ignored);
 *  - keys the hook may not set (e.g. `call_full` when a PHP hook returns `$params` whole, or the
 *    read-only `from`/`user`/`entity`/`error` of customize_autodistribution) are stripped and
 *    listed in `stripped`, not an error.
 */

// ---------------------------------------------------------------------------------------------
// Shared shapes

/** Bitrix24 fields by name (`SUBJECT`, `UF_CRM_…`): the value is sent as is. */
export type B24Fields = Record<string, Json>;

export interface HookActivity {
  id: string;
  /** Always false. */
  is_new: boolean;
  /** From SUBJECT. */
  name: string;
  /** Always []. */
  phones: string[];
  /** Activity fields as Bitrix24 returns them; only non-empty ones. */
  raw: JsonObject;
  responsible: JsonObject;
  responsible_id: string;
  type: "activity";
}

interface WithCallFull {
  call_full: CallFull;
  /** Legacy (≤ 3.9) fields Itgrix keeps for backward compatibility may appear next to these. */
  [legacy: string]: unknown;
}

interface WithStage extends WithCallFull {
  call_stage: CallStage;
}

/**
 * telephony.externalcall.finish parameters. The parameter shapes are type aliases (not interfaces)
 * so the checked hook data (a JSON object) converts to them without an `unknown` escape.
 */
export type FinalParams = {
  /** 0/1: post a message about the call to the business chat (default 1). */
  ADD_TO_CHAT: 0 | 1;
  /** Bitrix24 CALL_ID. Changing it is not recommended. */
  CALL_ID: string;
  /** Seconds. */
  DURATION: number;
  /** Bitrix24 call status: "200" answered, "304" missed, "603" declined, "486" busy, … */
  STATUS_CODE: string;
  /** Bitrix24 user responsible for the conversation. */
  USER_ID: number;
};

/** telephony.externalcall.register parameters. */
export type RegistrationParams = {
  CALL_START_DATE?: string;
  CRM_CREATE?: 0 | 1;
  CRM_SOURCE?: string;
  LINE_NUMBER?: string;
  PHONE_NUMBER: string;
  /** Always 0 from the connector: showing the card is customize_show_call_card's request. */
  SHOW?: 0 | 1;
  /** 1 outgoing, 2 incoming (3 incoming with redirect, 4 callback are accepted too). */
  TYPE: 1 | 2 | 3 | 4;
  USER_ID: number;
};

/** AMI Originate parameters for click-to-call. */
export type OriginateParams = {
  caller_id: string;
  channel: string;
  context: string;
  extension: string;
  priority: string | number;
  /** The Bitrix24 OnExternalCallStart data (PHONE_NUMBER, USER_ID, CALL_ID, …). */
  request_data: JsonObject;
};

/** tasks.task.add fields. */
export interface TaskFields {
  CREATED_BY?: number;
  DEADLINE?: string;
  RESPONSIBLE_ID: number;
  TITLE: string;
  /** ["L_11201"]: L lead, C contact, CO company, D deal. */
  UF_CRM_TASK?: string[];
  [field: string]: Json | undefined;
}

export interface AutodistributionUser {
  id: number;
  phones: string[];
  name: string;
  email: string;
  position: string;
}

export interface AutodistributionEntity {
  type: string;
  id: number;
  name: string;
  responsible_id: number;
}

// ---------------------------------------------------------------------------------------------
// Inputs

export interface HookInputs {
  /** End of call, before crm.activity.update. */
  customize_activity: WithCallFull & { activity: HookActivity };
  /** End of call, before crm.lead.update / crm.contact.update. */
  customize_entity: WithCallFull;
  /** Every stage: register / process this call at all? (black/white lists). */
  need_registration: WithStage;
  /** Before the client number is used in CRM requests. */
  process_client_phone: { phone: string; call_full: CallFull; call_stage: CallStage };
  /** Before telephony.externalcall.finish. */
  process_final_params: WithCallFull & FinalParams;
  /** Click-to-call, before the AMI Originate (there is no call yet, so no call_full). */
  process_originate_params: { params: OriginateParams };
  /** Before the recording is attached; fixed 10 s timeout (conversion to mp3 may take time). */
  process_record_file_path: { path: string; call_full: CallFull };
  /** Before telephony.externalcall.register (stage conversation_requested, or call_ended for IVR-missed calls). */
  process_registration_params: WithStage & RegistrationParams;
  /** Before tasks.task.add for a missed incoming / unanswered outgoing call. */
  process_task_creation_params: WithCallFull & { fields: TaskFields };
  /** Before the Bitrix24 user is looked up by the employee's number. */
  process_user_phone: { phone: string; call_full: CallFull; call_stage: CallStage };
  /** The dialplan asked whom to route an incoming call to (read-only fields only when not empty). */
  customize_autodistribution: {
    number: string;
    name: string;
    from?: string;
    user?: AutodistributionUser;
    entity?: AutodistributionEntity;
    error?: string;
  };
  /** After registration (click-to-call: at the start of conversation_requested; IVR-missed: call_ended). */
  post_registration: { call_full: CallFull; call_stage: CallStage };
  /** Before telephony.externalcall.show. */
  customize_show_call_card: { CALL_ID: string; USER_ID: number; call_full: CallFull; call_stage: CallStage };
  /** Attaching a record link (not the file): before crm.activity.update with the player HTML. */
  customize_attach_record_url: {
    DESCRIPTION: string;
    DESCRIPTION_TYPE: number;
    activity: HookActivity;
    call_full: CallFull;
  };
}

// ---------------------------------------------------------------------------------------------
// Outputs (the `data` of the envelope, after validation and stripping)

export interface HookOutputs {
  customize_activity: B24Fields;
  customize_entity: B24Fields;
  need_registration: { result: boolean };
  process_client_phone: { phone: string };
  process_final_params: FinalParams;
  process_originate_params: OriginateParams;
  /** The hook may return data as `{"path": "…"}` or as the bare string. */
  process_record_file_path: { path: string };
  process_registration_params: RegistrationParams;
  process_task_creation_params: { fields: TaskFields };
  process_user_phone: { phone: string };
  /** name ≤ 20 characters (Asterisk CallerID name). */
  customize_autodistribution: { number: string; name?: string };
  /** Only `state` matters. */
  post_registration: null;
  customize_show_call_card: { CALL_ID: string; USER_ID: number | number[] };
  customize_attach_record_url: B24Fields & { DESCRIPTION?: string; DESCRIPTION_TYPE?: 1 | 2 | 3 };
}

export type HookInput<H extends HookName> = HookInputs[H];
export type HookOutput<H extends HookName> = HookOutputs[H];

/** What the hook's answer means, once checked. */
export type HookVerdict<H extends HookName> = { kind: "data"; data: HookOutputs[H]; stripped: string[] } | { kind: "cancelled" };

// ---------------------------------------------------------------------------------------------
// Field checkers

type Checked = { ok: true; value: Json } | { ok: false; problem: string };
type Checker = (value: unknown) => Checked;

const ok = (value: Json): Checked => ({ ok: true, value });
const bad = (expected: string, value: unknown): Checked => ({
  ok: false,
  problem: `expected ${expected}, got ${showValue(value)}`,
});

const str: Checker = (v) => (typeof v === "string" ? ok(v) : bad("a string", v));
const nonEmptyStr: Checker = (v) => (typeof v === "string" && v.trim() !== "" ? ok(v) : bad("a non-empty string", v));
const phone: Checker = (v) => (typeof v === "string" && /^[+0-9*#][0-9*#()\- ]{0,63}$/.test(v) ? ok(v) : bad("a phone number string", v));
/** Integers also arrive as digit strings from PHP ("5"): accepted and normalised. */
const posInt: Checker = (v) => {
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? ok(n) : bad("a positive integer", v);
};
const nonNegInt: Checker = (v) => {
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) && n >= 0 ? ok(n) : bad("a non-negative integer", v);
};
const oneOf =
  (...allowed: number[]): Checker =>
  (v) => {
    const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : typeof v === "boolean" ? Number(v) : v;
    return typeof n === "number" && allowed.includes(n) ? ok(n) : bad(`one of ${allowed.join("/")}`, v);
  };
/** Status codes are strings in Bitrix24; PHP's `304` (an int) is accepted and becomes "304". */
const statusCode: Checker = (v) =>
  typeof v === "string" && /^\d{3}(-[A-Z])?$/.test(v)
    ? ok(v)
    : typeof v === "number" && Number.isInteger(v) && v >= 100 && v <= 999
      ? ok(String(v))
      : bad('a status code such as "200" or "304"', v);
const bool: Checker = (v) => (typeof v === "boolean" ? ok(v) : bad("true or false", v));
/** PHP encodes an empty associative array as `[]`. */
const object: Checker = (v) => (isPlainObject(v) ? ok(v as JsonObject) : Array.isArray(v) && v.length === 0 ? ok({}) : bad("an object", v));
const stringOrInt: Checker = (v) => (typeof v === "string" || (typeof v === "number" && Number.isInteger(v)) ? ok(v) : bad("a string or an integer", v));
const userIds: Checker = (v) => {
  if (Array.isArray(v)) {
    const out: number[] = [];
    for (const item of v) {
      const c = posInt(item);
      if (!c.ok) return bad("a user id or a list of user ids", v);
      out.push(c.value as number);
    }
    return out.length > 0 ? ok(out) : bad("a user id or a non-empty list of user ids", v);
  }
  return posInt(v);
};
const crmBindings: Checker = (v) =>
  Array.isArray(v) && v.every((x) => typeof x === "string" && /^(L|C|CO|D)_\d+$/.test(x)) ? ok(v as string[]) : bad('a list like ["L_11201", "C_5", "CO_7", "D_9"]', v);
const callerIdName: Checker = (v) =>
  typeof v !== "string" ? bad("a string", v) : [...v].length > 20 ? { ok: false, problem: `must be at most 20 characters (Asterisk CallerID name), got ${[...v].length}` } : ok(v);
const absolutePath: Checker = (v) => (typeof v === "string" && v.startsWith("/") && !v.includes("\0") ? ok(v) : bad("an absolute file path", v));

/** Bitrix24 field names are upper case: SUBJECT, RESPONSIBLE_ID, UF_CRM_1600000000. */
const B24_FIELD = /^[A-Z][A-Z0-9_]*$/;

interface Shape {
  fields: Record<string, Checker>;
  required: string[];
  /** Keys outside `fields` that follow this pattern are kept (Bitrix24 field maps). */
  open?: RegExp;
}

function checkShape(data: unknown, shape: Shape, path: string, issues: string[], stripped: string[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  if (!isPlainObject(data)) {
    issues.push(`${path}: expected an object, got ${showValue(data)}`);
    return out;
  }
  for (const [key, value] of Object.entries(data)) {
    const checker = shape.fields[key];
    if (checker) {
      const c = checker(value);
      if (c.ok) out[key] = c.value;
      else issues.push(`${path}.${key}: ${c.problem}`);
    } else if (shape.open?.test(key)) {
      if (value !== undefined) out[key] = value as Json;
    } else {
      stripped.push(`${path}.${key}`);
    }
  }
  for (const key of shape.required) {
    if (!(key in data)) issues.push(`${path}.${key}: required`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Per-hook specification

export interface HookSpec<H extends HookName> {
  name: H;
  /** Stages whose input carries `call_stage`; empty when the hook has no call_stage. */
  stages: readonly CallStage[];
  /** Fixed timeout that configuration cannot change (Itgrix: process_record_file_path, 10 s). */
  fixedTimeoutMs?: number;
  /** Can this hook cancel a request by returning empty data? */
  cancellable: boolean;
  /** The request (or action) the hook shapes, in words. */
  shapes: string;
  /** Validates non-empty data; pushes problems into `issues`. */
  validate(data: unknown, issues: string[], stripped: string[]): HookOutputs[H];
  /** What the connector uses when the hook is off or failed. */
  defaultData(input: HookInputs[H]): HookOutputs[H];
}

const ALL_STAGES = ["conversation_requested", "conversation_accepted", "conversation_ended", "call_ended"] as const;

const fieldMap = (extra: Record<string, Checker> = {}): Shape => ({ fields: extra, required: [], open: B24_FIELD });

const finalShape: Shape = {
  fields: { ADD_TO_CHAT: oneOf(0, 1), CALL_ID: nonEmptyStr, DURATION: nonNegInt, STATUS_CODE: statusCode, USER_ID: posInt },
  required: ["CALL_ID", "DURATION", "STATUS_CODE", "USER_ID"],
};
const registrationShape: Shape = {
  fields: {
    CALL_START_DATE: str,
    CRM_CREATE: oneOf(0, 1),
    CRM_SOURCE: str,
    LINE_NUMBER: str,
    PHONE_NUMBER: nonEmptyStr,
    SHOW: oneOf(0, 1),
    TYPE: oneOf(1, 2, 3, 4),
    USER_ID: posInt,
  },
  required: ["PHONE_NUMBER", "TYPE", "USER_ID"],
};
const originateShape: Shape = {
  fields: { caller_id: str, channel: nonEmptyStr, context: nonEmptyStr, extension: nonEmptyStr, priority: stringOrInt, request_data: object },
  required: ["channel", "context", "extension", "priority"],
};
const taskShape: Shape = {
  fields: {
    CREATED_BY: posInt,
    DEADLINE: str,
    RESPONSIBLE_ID: posInt,
    TITLE: nonEmptyStr,
    UF_CRM_TASK: crmBindings,
  },
  required: ["TITLE", "RESPONSIBLE_ID"],
  open: B24_FIELD,
};

function pick<T extends object>(source: object, keys: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (k in source) out[k] = (source as Record<string, unknown>)[k];
  return out as T;
}

const FINAL_KEYS = ["ADD_TO_CHAT", "CALL_ID", "DURATION", "STATUS_CODE", "USER_ID"] as const;
const REGISTRATION_KEYS = ["CALL_START_DATE", "CRM_CREATE", "CRM_SOURCE", "LINE_NUMBER", "PHONE_NUMBER", "SHOW", "TYPE", "USER_ID"] as const;

function phoneSpec<H extends "process_client_phone" | "process_user_phone">(name: H, shapes: string): HookSpec<H> {
  return {
    name,
    stages: ALL_STAGES,
    cancellable: true,
    shapes,
    validate: (data, issues, stripped) => checkShape(data, { fields: { phone }, required: ["phone"] }, "data", issues, stripped) as HookOutputs[H],
    defaultData: (input) => ({ phone: input.phone }) as HookOutputs[H],
  };
}

export const HOOK_SPECS: { [H in HookName]: HookSpec<H> } = {
  customize_activity: {
    name: "customize_activity",
    stages: [],
    cancellable: true,
    shapes: "crm.activity.update of the call's activity (end of call)",
    validate: (data, issues, stripped) => checkShape(data, fieldMap(), "data", issues, stripped),
    defaultData: () => ({}),
  },
  customize_entity: {
    name: "customize_entity",
    stages: [],
    cancellable: true,
    shapes: "crm.lead.update / crm.contact.update of the call's entity (end of call)",
    validate: (data, issues, stripped) => checkShape(data, fieldMap(), "data", issues, stripped),
    defaultData: () => ({}),
  },
  need_registration: {
    name: "need_registration",
    stages: ALL_STAGES,
    cancellable: true,
    shapes: "whether this stage of the call is registered in Bitrix24 at all",
    validate: (data, issues, stripped) => checkShape(data, { fields: { result: bool }, required: ["result"] }, "data", issues, stripped) as { result: boolean },
    defaultData: () => ({ result: true }),
  },
  process_client_phone: phoneSpec("process_client_phone", "the client number used in CRM lookup and telephony.externalcall.register"),
  process_final_params: {
    name: "process_final_params",
    stages: [],
    cancellable: true,
    shapes: "telephony.externalcall.finish",
    validate: (data, issues, stripped) => checkShape(data, finalShape, "data", issues, stripped) as FinalParams,
    defaultData: (input) => pick<FinalParams>(input, FINAL_KEYS),
  },
  process_originate_params: {
    name: "process_originate_params",
    stages: [],
    cancellable: true,
    shapes: "the AMI Originate of a click-to-call",
    validate: (data, issues, stripped) => checkShape(data, originateShape, "data", issues, stripped) as OriginateParams,
    defaultData: (input) => ({ ...input.params }),
  },
  process_record_file_path: {
    name: "process_record_file_path",
    stages: [],
    fixedTimeoutMs: 10_000,
    cancellable: true,
    shapes: "the file attached by telephony.externalCall.attachRecord",
    validate: (data, issues, stripped) =>
      checkShape(typeof data === "string" ? { path: data } : data, { fields: { path: absolutePath }, required: ["path"] }, "data", issues, stripped) as {
        path: string;
      },
    defaultData: (input) => ({ path: input.path }),
  },
  process_registration_params: {
    name: "process_registration_params",
    stages: ["conversation_requested", "call_ended"],
    cancellable: true,
    shapes: "telephony.externalcall.register",
    validate: (data, issues, stripped) => checkShape(data, registrationShape, "data", issues, stripped) as RegistrationParams,
    defaultData: (input) => pick<RegistrationParams>(input, REGISTRATION_KEYS),
  },
  process_task_creation_params: {
    name: "process_task_creation_params",
    stages: [],
    cancellable: true,
    shapes: "tasks.task.add for a missed call",
    validate: (data, issues, stripped) => {
      const top = checkShape(data, { fields: { fields: (v) => (isPlainObject(v) ? ok(v as JsonObject) : bad("an object", v)) }, required: ["fields"] }, "data", issues, stripped);
      const fields = top.fields === undefined ? {} : checkShape(top.fields, taskShape, "data.fields", issues, stripped);
      return { fields: fields as TaskFields };
    },
    defaultData: (input) => ({ fields: { ...input.fields } }),
  },
  process_user_phone: phoneSpec("process_user_phone", "the employee number used to find the Bitrix24 user"),
  customize_autodistribution: {
    name: "customize_autodistribution",
    stages: [],
    cancellable: true,
    shapes: "the answer to the dialplan's autodistribution request (extension and CallerID name)",
    validate: (data, issues, stripped) =>
      checkShape(data, { fields: { number: nonEmptyStr, name: callerIdName }, required: ["number"] }, "data", issues, stripped) as {
        number: string;
        name?: string;
      },
    defaultData: (input) => ({ number: input.number, name: input.name }),
  },
  post_registration: {
    name: "post_registration",
    stages: ["conversation_requested", "call_ended"],
    cancellable: false,
    shapes: "nothing: an action after the call was registered (only state matters)",
    validate: () => null,
    defaultData: () => null,
  },
  customize_show_call_card: {
    name: "customize_show_call_card",
    stages: ALL_STAGES,
    cancellable: true,
    shapes: "telephony.externalcall.show",
    validate: (data, issues, stripped) =>
      checkShape(data, { fields: { CALL_ID: nonEmptyStr, USER_ID: userIds }, required: ["CALL_ID", "USER_ID"] }, "data", issues, stripped) as {
        CALL_ID: string;
        USER_ID: number | number[];
      },
    defaultData: (input) => ({ CALL_ID: input.CALL_ID, USER_ID: input.USER_ID }),
  },
  customize_attach_record_url: {
    name: "customize_attach_record_url",
    stages: [],
    cancellable: true,
    shapes: "crm.activity.update with the record player in DESCRIPTION",
    validate: (data, issues, stripped) => checkShape(data, fieldMap({ DESCRIPTION: str, DESCRIPTION_TYPE: oneOf(1, 2, 3) }), "data", issues, stripped),
    defaultData: (input) => ({
      DESCRIPTION: input.DESCRIPTION,
      DESCRIPTION_TYPE: (input.DESCRIPTION_TYPE === 1 || input.DESCRIPTION_TYPE === 2 ? input.DESCRIPTION_TYPE : 3) as 1 | 2 | 3,
    }),
  },
};

export function hookSpec<H extends HookName>(hook: H): HookSpec<H> {
  return HOOK_SPECS[hook];
}

/**
 * Checks a hook's whole answer (the parsed envelope) against its contract.
 * Returns the verdict, or throws HookBadOutputError.
 */
export function interpretOutput<H extends HookName>(hook: H, raw: unknown): HookVerdict<H> {
  if (!isPlainObject(raw)) {
    const hint = raw === 1 ? " (did the PHP file end with `return [...]`?)" : "";
    throw new HookBadOutputError(hook, [`expected {"data": …, "state": "success"}, got ${showValue(raw, 80)}${hint}`], excerpt(raw));
  }
  if (raw.state !== "success") {
    const issue = raw.state === undefined ? 'state: required ("success")' : `state: unknown state ${showValue(raw.state, 40)} (expected "success")`;
    throw new HookBadOutputError(hook, [issue], excerpt(raw));
  }
  const spec = HOOK_SPECS[hook] as HookSpec<H>;
  if (!spec.cancellable) return { kind: "data", data: spec.validate(raw.data, [], []), stripped: [] };
  if (isEmptyData(raw.data)) return { kind: "cancelled" };
  const issues: string[] = [];
  const stripped: string[] = [];
  const data = spec.validate(raw.data, issues, stripped);
  if (issues.length > 0) throw new HookBadOutputError(hook, issues, excerpt(raw));
  return { kind: "data", data, stripped };
}

/** The default a disabled or failed hook stands for. */
export function defaultOutput<H extends HookName>(hook: H, input: HookInputs[H]): HookOutputs[H] {
  return (HOOK_SPECS[hook] as HookSpec<H>).defaultData(input);
}
