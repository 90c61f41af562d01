/** `im.notify.system.add` / `im.notify.personal.add` (fact sheet §3): USER_ID + MESSAGE → notification id. */
import { RestError } from "../errors.js";
import { phpInt } from "../php-query.js";
import type { MethodContext, MethodDef } from "../portal.js";
import { pick } from "./user.js";

function notify(kind: "system" | "personal") {
  return (ctx: MethodContext): unknown => {
    const userId = phpInt(pick(ctx.params, "USER_ID"));
    if (userId <= 0) throw new RestError(400, "USER_ID_EMPTY", "Recipient user ID can't be empty");
    const message = String(pick(ctx.params, "MESSAGE") ?? "").trim();
    if (message === "") throw new RestError(400, "MESSAGE_EMPTY", "Message can't be empty");
    if (!ctx.portal.state.activeUser(userId)) return false;
    const attach = pick(ctx.params, "ATTACH");
    if (attach !== undefined && (typeof attach === "string" ? attach : JSON.stringify(attach)).length > 60_000) {
      throw new RestError(400, "ATTACH_OVERSIZE", "You have exceeded the maximum allowable size of attach");
    }
    const id = ctx.portal.state.nextId("notify");
    const tag = pick(ctx.params, "TAG");
    ctx.portal.state.notifications.push({
      ID: id,
      kind,
      USER_ID: userId,
      FROM_USER_ID: kind === "personal" ? ctx.auth.userId : 0,
      MESSAGE: message,
      ...(typeof tag === "string" ? { TAG: tag } : {}),
      at: ctx.portal.now(),
    });
    return id;
  };
}

export const imMethods: Record<string, MethodDef> = {
  "im.notify.system.add": { handler: notify("system") },
  "im.notify.personal.add": { handler: notify("personal") },
};
