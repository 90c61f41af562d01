/**
 * What the portal's own state says about commands an earlier attempt may already have executed
 * (a timeout, a reset connection, a 5xx without Bitrix24's error body — decision 0006). Before
 * such a command is sent again, a read-only probe asks the portal; when the effect is already
 * there, the command is settled with the result its first execution produced and is NOT re-sent:
 *
 *   telephony.externalcall.register   voximplant.statistic.get FILTER[EXTERNAL_CALL_ID] — a row means
 *       (with EXTERNAL_CALL_ID)       the call was registered AND finished: adopt its CALL_ID. A call
 *                                     still open is found by re-sending: Bitrix24 de-duplicates a
 *                                     register with the same EXTERNAL_CALL_ID onto its CALL_ID.
 *   telephony.externalcall.finish     voximplant.statistic.get FILTER[CALL_ID] — finish writes that
 *                                     row, so a row means finished: its CRM_ACTIVITY_ID carries on.
 *   telephony.externalcall.attachRecord (with the file or its URL)  the same row with a record
 *                                     (RECORD_FILE_ID) means attached. (The upload-ticket form is
 *                                     harmless to repeat and is not probed.)
 *   tasks.task.add (fields.XML_ID)    tasks.task.list filter[XML_ID]: the task already exists.
 *
 * Everything else the connector sends is idempotent (crm.activity.update, show/hide, user.get…)
 * or has no key to look for (im.notify.system.add: a repeat is a second notice — a known limit).
 *
 * Pure: builds probe commands and reads their answers; the batch executor sends them.
 */
import { encodeCommand } from "./php-query.js";

/** A command whose references are resolved (what would be sent). */
export interface SentCommand {
  key: string;
  method: string;
  params: Record<string, unknown>;
}

/** What the probes found: the command's result as its earlier execution left it. */
export interface SettledCommand {
  result: unknown;
  /** For journals and logs: what the portal's state showed. */
  why: string;
}

export interface StateCheck {
  /** Read-only batch commands (probe key → `method?query`); at most one per command. */
  probes: Record<string, string>;
  /** Methods the probes call (for the operating-time budget). */
  methods: string[];
  /** The commands the portal already executed, by command key. */
  settle(results: Record<string, unknown>): Map<string, SettledCommand>;
}

type Row = Record<string, unknown>;

interface Checker {
  probe(params: Record<string, unknown>): { method: string; params: Record<string, unknown> } | undefined;
  settle(answer: unknown, params: Record<string, unknown>): SettledCommand | undefined;
}

const STATISTIC = "voximplant.statistic.get";
const TASK_LIST = "tasks.task.list";

/** A concrete string parameter (not empty, not a `$result[…]` reference still to be resolved). */
function concrete(v: unknown): string | undefined {
  if (typeof v !== "string" && typeof v !== "number") return undefined;
  const s = String(v);
  return s === "" || s.includes("$result[") ? undefined : s;
}

/** Bitrix24 methods take upper-case parameters in any case; read them case-insensitively. */
function param(params: Record<string, unknown>, name: string): unknown {
  for (const [k, v] of Object.entries(params)) if (k.toUpperCase() === name) return v;
  return undefined;
}

/**
 * The first row whose `field` equals `value` (never just the first row: a portal that ignored the
 * filter would hand back unrelated rows, and those must settle nothing).
 */
function firstRow(answer: unknown, field?: string, value?: string): Row | undefined {
  const rows = Array.isArray(answer) ? answer : answer && typeof answer === "object" ? Object.values(answer as Row) : [];
  for (const row of rows) {
    if (!row || typeof row !== "object") continue;
    if (field === undefined || String((row as Row)[field] ?? "") === value) return row as Row;
  }
  return undefined;
}

function idOrNull(v: unknown): number | null {
  const n = Number(v);
  return v === null || v === undefined || v === "" || !Number.isFinite(n) || n <= 0 ? null : n;
}

function statisticBy(field: "CALL_ID" | "EXTERNAL_CALL_ID", value: string) {
  return { method: STATISTIC, params: { FILTER: { [field]: value } } };
}

const register: Checker = {
  probe: (p) => {
    const ext = concrete(param(p, "EXTERNAL_CALL_ID"));
    return ext === undefined ? undefined : statisticBy("EXTERNAL_CALL_ID", ext);
  },
  settle: (answer, p) => {
    const row = firstRow(answer, "EXTERNAL_CALL_ID", concrete(param(p, "EXTERNAL_CALL_ID")));
    const callId = row && concrete(row.CALL_ID);
    if (!row || !callId) return undefined;
    const entityType = typeof row.CRM_ENTITY_TYPE === "string" && row.CRM_ENTITY_TYPE !== "" ? row.CRM_ENTITY_TYPE : null;
    return {
      result: {
        CALL_ID: callId,
        CRM_ENTITY_TYPE: entityType,
        CRM_ENTITY_ID: idOrNull(row.CRM_ENTITY_ID),
        CRM_CREATED_LEAD: null,
        CRM_CREATED_ENTITIES: [],
        ALREADY_FINISHED: true,
      },
      why: `registered and finished already: ${callId} in voximplant.statistic.get`,
    };
  },
};

const finish: Checker = {
  probe: (p) => {
    const callId = concrete(param(p, "CALL_ID"));
    return callId === undefined ? undefined : statisticBy("CALL_ID", callId);
  },
  settle: (answer, p) => {
    const row = firstRow(answer, "CALL_ID", concrete(param(p, "CALL_ID")));
    if (!row) return undefined;
    return {
      result: { ...row, CRM_ACTIVITY_ID: idOrNull(row.CRM_ACTIVITY_ID), ALREADY_FINISHED: true },
      why: `finished already: ${String(row.CALL_ID)} in voximplant.statistic.get`,
    };
  },
};

const attachRecord: Checker = {
  probe: (p) => {
    const callId = concrete(param(p, "CALL_ID"));
    // Only a command that attaches (file content or URL); the upload-ticket form attaches nothing.
    const attaches = param(p, "FILE_CONTENT") !== undefined || concrete(param(p, "RECORD_URL")) !== undefined;
    return callId === undefined || !attaches ? undefined : statisticBy("CALL_ID", callId);
  },
  settle: (answer, p) => {
    const row = firstRow(answer, "CALL_ID", concrete(param(p, "CALL_ID")));
    const fileId = row ? idOrNull(row.RECORD_FILE_ID) : null;
    if (fileId === null) return undefined;
    return { result: { FILE_ID: fileId, ALREADY_ATTACHED: true }, why: `record ${fileId} already attached to ${String(row!.CALL_ID)}` };
  },
};

const taskAdd: Checker = {
  probe: (p) => {
    const fields = p.fields ?? p.FIELDS;
    const xmlId = fields && typeof fields === "object" ? concrete((fields as Row).XML_ID) : undefined;
    return xmlId === undefined ? undefined : { method: TASK_LIST, params: { filter: { XML_ID: xmlId }, select: ["ID", "TITLE", "XML_ID", "RESPONSIBLE_ID"] } };
  },
  settle: (answer, p) => {
    const tasks = answer && typeof answer === "object" ? (answer as Row).tasks : undefined;
    const fields = (p.fields ?? p.FIELDS) as Row;
    const task = firstRow(tasks, "xmlId", concrete(fields.XML_ID));
    if (!task || idOrNull(task.id ?? task.ID) === null) return undefined;
    return { result: { task, ALREADY_ADDED: true }, why: `task ${String(task.id ?? task.ID)} already added (XML_ID)` };
  },
};

const CHECKERS: Record<string, Checker> = {
  "telephony.externalcall.register": register,
  "telephony.externalcall.finish": finish,
  "telephony.externalcall.attachrecord": attachRecord,
  "tasks.task.add": taskAdd,
};

/** Methods a maybe-executed attempt is checked for before a re-send. */
export function checkedMethods(): string[] {
  return Object.keys(CHECKERS);
}

/** Probes for the commands that have one; undefined when none of them can be checked. */
export function stateCheck(commands: readonly SentCommand[]): StateCheck | undefined {
  const probes: Record<string, string> = {};
  const methods = new Set<string>();
  const byProbe = new Map<string, { c: SentCommand; checker: Checker }>();
  commands.forEach((c, i) => {
    const checker = CHECKERS[c.method.toLowerCase()];
    const probe = checker?.probe(c.params);
    if (!checker || !probe) return;
    const key = `p${i}`;
    probes[key] = encodeCommand(probe.method, probe.params);
    methods.add(probe.method);
    byProbe.set(key, { c, checker });
  });
  if (byProbe.size === 0) return undefined;
  return {
    probes,
    methods: [...methods],
    settle(results) {
      const out = new Map<string, SettledCommand>();
      for (const [key, { c, checker }] of byProbe) {
        if (!(key in results)) continue;
        const s = checker.settle(results[key], c.params);
        if (s) out.set(c.key, s);
      }
      return out;
    },
  };
}
