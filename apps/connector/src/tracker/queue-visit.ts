import type { AmiMessage } from "@asterisk-b24/ami";
import { channelFrom, type Ctx } from "./context.js";

/**
 * app_queue's view of the caller: QueueCallerJoin opens a visit, QueueCallerAbandon marks that
 * the caller hung up while waiting, QueueCallerLeave closes it (answered, abandoned, timed out
 * or left by the dialplan). The queue and manager figures measure the wait from these.
 */
export function queueCaller(ctx: Ctx, msg: AmiMessage, event: "QueueCallerJoin" | "QueueCallerAbandon" | "QueueCallerLeave"): void {
  const ch = channelFrom(ctx, msg, "", event === "QueueCallerJoin");
  const queue = msg.get("Queue");
  if (!ch || !queue) return;
  const call = ctx.callOf(ch);
  const visits = (call.queueVisits ??= []);
  if (event === "QueueCallerJoin") {
    visits.push({ queue, caller: ch.id, joinedAt: ctx.now, leftAt: 0, abandoned: false });
    ctx.touch(call);
    return;
  }
  let open: (typeof visits)[number] | undefined;
  for (let i = visits.length - 1; i >= 0 && !open; i--) {
    const v = visits[i]!;
    if (v.queue === queue && v.caller === ch.id && v.leftAt === 0) open = v;
  }
  if (!open) return;
  if (event === "QueueCallerAbandon") open.abandoned = true;
  else open.leftAt = ctx.now;
  ctx.touch(call);
}
