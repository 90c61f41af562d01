/**
 * `tasks.task.add` (fact sheet §3): fields TITLE and RESPONSIBLE_ID required; result `{task:{id,…camelCase…}}`.
 * `tasks.task.list`: filter by the task fields (ID, TITLE, RESPONSIBLE_ID, CREATED_BY, XML_ID…, with the list
 * operators), result `{tasks:[…camelCase…]}`, paging by 50 with `start`.
 */
import { RestError } from "../errors.js";
import { phpInt } from "../php-query.js";
import { ListResult, type MethodContext, type MethodDef } from "../portal.js";
import { matches, pick, splitPrefix } from "./user.js";

/** UPPER_CASE field → the camelCase key of the task view. */
const FIELD_KEYS: Record<string, string> = {
  ID: "id",
  TITLE: "title",
  DESCRIPTION: "description",
  RESPONSIBLE_ID: "responsibleId",
  CREATED_BY: "createdBy",
  CREATED_DATE: "createdDate",
  DEADLINE: "deadline",
  STATUS: "status",
  PRIORITY: "priority",
  GROUP_ID: "groupId",
  XML_ID: "xmlId",
};

function taskAdd(ctx: MethodContext): unknown {
  const f = pick(ctx.params, "fields");
  if (!f || typeof f !== "object" || Array.isArray(f)) {
    throw new RestError(400, "100", "Could not find value for parameter {fields}");
  }
  const fields = f as Record<string, unknown>;
  const title = String(fields["TITLE"] ?? "").trim();
  if (title === "") throw new RestError(400, "ERROR_CORE", "Task title is not specified.");
  const responsible = phpInt(fields["RESPONSIBLE_ID"]);
  if (responsible <= 0 || !ctx.portal.state.users.has(responsible)) {
    throw new RestError(400, "ERROR_CORE", "Assignee is not specified.");
  }
  const id = ctx.portal.state.nextId("task");
  const now = ctx.portal.date(ctx.portal.now());
  const task = {
    id: String(id),
    title,
    description: String(fields["DESCRIPTION"] ?? ""),
    responsibleId: String(responsible),
    createdBy: String(phpInt(fields["CREATED_BY"]) || ctx.auth.userId),
    createdDate: now,
    deadline: fields["DEADLINE"] ? String(fields["DEADLINE"]) : null,
    status: "2",
    priority: String(fields["PRIORITY"] ?? "1"),
    groupId: String(phpInt(fields["GROUP_ID"])),
    xmlId: fields["XML_ID"] === undefined || fields["XML_ID"] === null ? null : String(fields["XML_ID"]),
  };
  ctx.portal.state.tasks.set(id, { ...task, UF_CRM_TASK: fields["UF_CRM_TASK"] ?? [], fields });
  return { task };
}

function taskList(ctx: MethodContext): ListResult {
  const filter = pick(ctx.params, "filter");
  const conds: Array<[string, string, unknown]> = [];
  if (filter && typeof filter === "object" && !Array.isArray(filter)) {
    for (const [k, v] of Object.entries(filter as Record<string, unknown>)) {
      const [op, f] = splitPrefix(k);
      const key = FIELD_KEYS[f.toUpperCase()];
      if (!key) throw new RestError(400, "ERROR_CORE", `Unknown filter field ${f}`);
      conds.push([op === "=" ? "" : op, key, v]);
    }
  }
  const selectRaw = pick(ctx.params, "select");
  const select = Array.isArray(selectRaw) ? selectRaw.map((x) => FIELD_KEYS[String(x).toUpperCase()]).filter((x): x is string => !!x) : [];
  const rows = [...ctx.portal.state.tasks.values()].filter((t) => conds.every(([op, key, v]) => matches(t[key], op, v)));
  const view = (t: Record<string, unknown>) =>
    select.length ? Object.fromEntries(["id", ...select].map((k) => [k, t[k] ?? null])) : Object.fromEntries(Object.values(FIELD_KEYS).map((k) => [k, t[k] ?? null]));
  const start = Math.max(0, phpInt(pick(ctx.params, "start")));
  const page = rows.slice(start, start + 50).map(view);
  return new ListResult({ tasks: page }, rows.length, start + 50 < rows.length ? start + 50 : undefined);
}

export const taskMethods: Record<string, MethodDef> = {
  "tasks.task.add": { handler: taskAdd },
  "tasks.task.list": { handler: taskList },
};
