/**
 * Channel variables the tracker reads, from a `VarSet` event or (for calls adopted after a
 * reconnect) from the `ChanVariable: NAME=value` headers Asterisk adds to channel events when
 * manager.conf `channelvars` lists them — the connector adds the same headers to CoreShowChannel
 * entries from `Getvar` answers.
 */
import type { AmiMessage } from "@asterisk-b24/ami";
import { normalizeVariable } from "./config.js";
import type { Ctx } from "./context.js";
import type { ChannelRecord } from "./model.js";
import { linkCrmCallId } from "./originate.js";

/** Applies one variable of `ch` (name already normalized: no `_`/`__` prefix). Unknown names are ignored. */
export function applyVariable(ctx: Ctx, ch: ChannelRecord, norm: string, value: string): void {
  const role = ctx.cfg.vars.get(norm);
  if (!role || !value) return;
  const call = ctx.callOf(ch);
  if (role === "record") {
    if (!call.records.includes(value)) call.records.push(value);
    const rank = ctx.cfg.recordingOrder.indexOf(norm);
    if (rank < call.recordRank) {
      call.record = value;
      call.recordRank = rank;
    }
  } else if (role === "did") {
    if (!call.did) call.did = value;
  } else if (role === "voicemail") {
    const list = (call.voicemails ??= []);
    if (!list.includes(value)) list.push(value);
    ctx.touch(call);
  } else {
    linkCrmCallId(ctx, call, value);
  }
}

/** `ChanVariable: NAME=value` headers of a message (also `ChanVariable(NAME): value`, older Asterisk). */
export function chanVariables(msg: AmiMessage): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [key, value] of msg.fields) {
    if (key === "ChanVariable") {
      const eq = value.indexOf("=");
      if (eq > 0) out.push([normalizeVariable(value.slice(0, eq)), value.slice(eq + 1)]);
    } else if (key.startsWith("ChanVariable(") && key.endsWith(")")) {
      out.push([normalizeVariable(key.slice(13, -1)), value]);
    }
  }
  return out;
}
