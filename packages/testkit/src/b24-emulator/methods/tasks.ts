/** `tasks.task.add` (fact sheet §3): fields TITLE and RESPONSIBLE_ID required; result `{task:{id,…camelCase…}}`. */
import { RestError } from "../errors.js";
import { phpInt } from "../php-query.js";
import type { MethodContext, MethodDef } from "../portal.js";
import { pick } from "./user.js";

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
  };
  ctx.portal.state.tasks.set(id, { ...task, UF_CRM_TASK: fields["UF_CRM_TASK"] ?? [], fields });
  return { task };
}

export const taskMethods: Record<string, MethodDef> = {
  "tasks.task.add": { handler: taskAdd },
};
