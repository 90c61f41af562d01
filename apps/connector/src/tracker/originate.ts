/**
 * Click-to-call: correlating the CRM's AMI Originate with the call it creates.
 *
 * - `Action: Originate` (optional input, the connector's own action): remembered by ActionID
 *   with its CRM variable, Exten and preset ChannelId.
 * - `VarSet <clickToCallVariable>` on a channel: the call is a click-to-call with that CRM id.
 * - `OriginateResponse`: Success = the FIRST leg (the manager's phone) answered, not the client;
 *   Failure (Reason 0/1/3/5/8) = the manager's leg never connected. With Uniqueid `<unknown>`
 *   the call is found by ActionID, CRM variable or the originated channel's name; if no channel
 *   was ever created, a call is made up and closed at once so the CRM call gets finished.
 */
import type { AmiMessage } from "@asterisk-b24/ami";
import { normalizeVariable } from "./config.js";
import { closeCall, Ctx, newCall } from "./context.js";
import type { CallRecord, ClickToCallRecord } from "./model.js";

function blank(): ClickToCallRecord {
  return { actionId: "", crmCallId: "", exten: "", channel: "", response: "", reason: -1 };
}

function prunePending(ctx: Ctx): void {
  const keep = ctx.now - ctx.cfg.raw.originateMemoryMs;
  for (const id in ctx.state.originates) if (ctx.state.originates[id]!.at < keep) delete ctx.state.originates[id];
}

export function handleOriginateAction(ctx: Ctx, msg: AmiMessage): void {
  const actionId = msg.get("ActionID");
  if (!actionId) return;
  prunePending(ctx);
  let crmCallId = "";
  for (const v of msg.getAll("Variable")) {
    for (const part of v.split(",")) {
      const eq = part.indexOf("=");
      if (eq > 0 && normalizeVariable(part.slice(0, eq).trim()) === ctx.cfg.c2cVar) crmCallId = part.slice(eq + 1).trim();
    }
  }
  ctx.state.originates[actionId] = {
    actionId,
    at: ctx.now,
    channel: msg.get("Channel") ?? "",
    exten: msg.get("Exten") ?? "",
    crmCallId,
    channelId: msg.get("ChannelId") ?? "",
  };
}

/** The CRM variable showed up on a channel of `call`. */
export function linkCrmCallId(ctx: Ctx, call: CallRecord, crmCallId: string): void {
  const c2c = (call.clickToCall ??= blank());
  c2c.crmCallId = crmCallId;
  for (const id in ctx.state.originates) {
    const p = ctx.state.originates[id]!;
    if (p.crmCallId === crmCallId) {
      c2c.actionId ||= p.actionId;
      c2c.exten ||= p.exten;
      c2c.channel ||= p.channel;
    }
  }
  ctx.touch(call);
}

function findCall(ctx: Ctx, msg: AmiMessage, actionId: string): CallRecord | undefined {
  const st = ctx.state;
  const uid = msg.get("Uniqueid");
  const direct = ctx.channelById(uid);
  if (direct) return ctx.callOf(direct);
  const pending = actionId ? st.originates[actionId] : undefined;
  const prefix = (msg.get("Channel") ?? pending?.channel ?? "") + "-";
  let byName: CallRecord | undefined;
  for (const key in st.calls) {
    const call = st.calls[key]!;
    const c2c = call.clickToCall;
    if (c2c && actionId && c2c.actionId === actionId) return call;
    if (c2c && pending?.crmCallId && c2c.crmCallId === pending.crmCallId) return call;
    if (pending?.channelId && call.channels[pending.channelId]) return call;
    if (c2c?.response || prefix === "-") continue;
    for (const id of call.order) {
      const ch = call.channels[id]!;
      if ((ch.dialedBy === "originate" || ch.origin === "originated") && ch.name.startsWith(prefix)) byName = call;
    }
  }
  return byName;
}

function alreadyEnded(ctx: Ctx, msg: AmiMessage, actionId: string): boolean {
  const prefix = (msg.get("Channel") ?? "") + "-";
  const crm = actionId ? ctx.state.originates[actionId]?.crmCallId : undefined;
  for (const r of ctx.state.recentOriginated) {
    if (ctx.now - r.at > ctx.cfg.raw.originateMemoryMs) continue;
    if (actionId && r.actionId === actionId) return true;
    if (crm && r.crmCallId === crm) return true;
    if (prefix !== "-" && r.names.some((n) => n.startsWith(prefix))) return true;
  }
  return false;
}

export function handleOriginateResponse(ctx: Ctx, msg: AmiMessage): void {
  const actionId = msg.get("ActionID") ?? "";
  const response = msg.get("Response") ?? "";
  const reasonNum = Number(msg.get("Reason"));
  const reason = Number.isFinite(reasonNum) ? reasonNum : -1;
  const pending = actionId ? ctx.state.originates[actionId] : undefined;
  const call = findCall(ctx, msg, actionId);
  if (call) {
    const c2c = (call.clickToCall ??= blank());
    c2c.actionId ||= actionId;
    c2c.response = response;
    c2c.reason = reason;
    c2c.exten ||= msg.get("Exten") ?? pending?.exten ?? "";
    c2c.channel ||= msg.get("Channel") ?? pending?.channel ?? "";
    if (!c2c.crmCallId && pending?.crmCallId) c2c.crmCallId = pending.crmCallId;
    ctx.touch(call);
  } else if (response === "Failure") {
    if (alreadyEnded(ctx, msg, actionId)) {
      ctx.diag("late_originate_response", actionId);
    } else {
      // No channel was ever created (phone not registered, bad number): a call that only ends.
      const key = "originate:" + (actionId || String(ctx.now));
      const made = newCall(key, ctx.now);
      made.clickToCall = {
        actionId,
        crmCallId: pending?.crmCallId ?? "",
        exten: msg.get("Exten") ?? pending?.exten ?? "",
        channel: msg.get("Channel") ?? pending?.channel ?? "",
        response,
        reason,
      };
      ctx.state.calls[key] = made;
      ctx.state.linkedidIndex[key] = key;
      ctx.touch(made);
      closeCall(ctx, made, "originate_failed");
    }
  }
  if (actionId) delete ctx.state.originates[actionId];
}
