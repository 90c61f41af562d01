/**
 * Call pickup and call parking: two ways an employee who never was dialled takes over a client.
 *
 * Pickup (`Pickup` event, app Pickup / `*8` / directed `**101`): the picker's own channel was
 * created by its phone (an unrelated linkedid); app_pickup answers it and masquerades it into
 * the ringing leg's place — Asterisk swaps uniqueid AND linkedid, so the leg in the caller's Dial
 * keeps the picker's uniqueid (DialEnd ANSWER, BridgeEnter with the caller) and the ringing
 * phone's uniqueid becomes a `<ZOMBIE>` that hangs up with cause 26. The event comes after the
 * masquerade with the snapshots from before it: `Channel…` = picker, `Target…` = ringing leg.
 * We join the picker's call to the client's call, end the ringing phone's conversation
 * (`picked_up`) and open the picker's, accepted like any other once bridged with the client.
 *
 * Parking (res_parking): `ParkedCall` when the client enters the parking bridge (a blind
 * transfer to the park extension, or Park()), then exactly one of `UnParkedCall` (an employee
 * dialled the slot: `Retriever…` is that phone's channel, in its own linkedid until bridged),
 * `ParkedCallTimeOut` (the client goes back to the parker: a normal Dial follows) or
 * `ParkedCallGiveUp` (the client hung up in the slot). A park after a conversation counts as hold.
 *
 * Asterisk 22 reports a retrieval in another order than the AMI docs suggest
 * (`parked_call_app_exec`): the retriever's channel (its own linkedid) answers, the parkee is
 * moved into a new basic bridge and the retriever joins it — both `BridgeEnter` (the retriever's
 * already with the parkee's Linkedid) come BEFORE `UnParkedCall`, which the parking bridge
 * publishes when it lets the parkee go, with a `Retriever…` snapshot taken before the join (the
 * retriever's own Linkedid). So a parked client in an ordinary bridge with an employee who has no
 * conversation in the call yet is a retrieval, whichever of the two is seen first
 * (`retrievedInBridge`). Likewise `BlindTransfer` and `ParkedCall` come together in either order
 * while the parker's leg lingers alone in the first bridge until it hangs up.
 */
import type { AmiMessage } from "@asterisk-b24/ami";
import { parseChannelName } from "./classify.js";
import { channelFrom, type Ctx, endConversation, evaluate, mergeCalls, openConversation } from "./context.js";
import type { CallRecord, ChannelRecord, ParkRecord } from "./model.js";
import { employeeExt } from "./snapshot.js";

function extOfChannel(ctx: Ctx, ch: ChannelRecord | undefined): string {
  return ch && ch.kind === "employee" ? employeeExt(ch, ctx.cfg) : "";
}

/** `PJSIP/101` (ParkerDialString) → 101 when it is an employee's endpoint. */
function extOfDialString(ctx: Ctx, dialString: string): string {
  if (!dialString) return "";
  const parsed = parseChannelName(dialString.includes("/") ? dialString : `PJSIP/${dialString}`);
  return ctx.cfg.internal.test(parsed.endpoint) ? parsed.endpoint : "";
}

/** Brings `ch`'s call into `into` (the client's call lives on). */
function joinCall(ctx: Ctx, ch: ChannelRecord, into: CallRecord): CallRecord {
  const own = ctx.callOf(ch);
  if (own !== into) mergeCalls(ctx, own, into);
  return ctx.callOf(ch);
}

function talking(call: CallRecord, at: number): boolean {
  for (const id of call.convOrder) {
    const c = call.conversations[id]!;
    if (c.acceptedAt && c.acceptedAt <= at) return true;
  }
  return false;
}

/** The parkee's park that has not ended yet. */
export function openPark(call: CallRecord, parkeeId: string): ParkRecord | undefined {
  const parks = call.parks ?? [];
  for (let i = parks.length - 1; i >= 0; i--) if (parks[i]!.parkee === parkeeId && parks[i]!.outcome === "") return parks[i];
  return undefined;
}

export function parked(ctx: Ctx, msg: AmiMessage): void {
  const parkee = parkeeOf(ctx, msg);
  if (!parkee) return;
  parkee.held = true;
  const call = ctx.callOf(parkee);
  if (openPark(call, parkee.id)) return; // repeated event
  const parker = extOfChannel(ctx, channelFrom(ctx, msg, "Parker", false)) || extOfDialString(ctx, msg.get("ParkerDialString") ?? "") || call.pendingTransferFrom;
  (call.parks ??= []).push({
    at: ctx.now,
    parkee: parkee.id,
    lot: msg.get("Parkinglot") ?? "",
    space: msg.get("ParkingSpace") ?? "",
    parker,
    endedAt: 0,
    outcome: "",
    retriever: "",
    afterTalk: talking(call, ctx.now),
  });
  // The park consumed the blind transfer: whoever takes the call next is told by the park record.
  call.pendingTransferFrom = "";
  ctx.touch(call);
}

/** The parked channel of an event (diagnostic when unknown). */
function parkeeOf(ctx: Ctx, msg: AmiMessage): ChannelRecord | undefined {
  const parkee = channelFrom(ctx, msg, "Parkee", false);
  if (!parkee && msg.get("ParkeeUniqueid")) ctx.diag("unknown_channel", msg.get("ParkeeChannel") ?? "");
  return parkee;
}

/** The client left the slot: closes its open park with `outcome`. */
function closePark(ctx: Ctx, parkee: ChannelRecord, outcome: ParkRecord["outcome"], retriever = ""): ParkRecord | undefined {
  parkee.held = false;
  const call = ctx.callOf(parkee);
  const park = openPark(call, parkee.id);
  if (park) {
    park.endedAt = ctx.now;
    park.outcome = outcome;
    park.retriever = retriever;
  }
  ctx.touch(call);
  return park;
}

export function unparked(ctx: Ctx, msg: AmiMessage): void {
  const parkee = parkeeOf(ctx, msg);
  const retriever = channelFrom(ctx, msg, "Retriever", true);
  if (!parkee) return;
  retrieve(ctx, parkee, retriever, msg.get("ParkingSpace") ?? "");
  evaluate(ctx, ctx.callOf(parkee));
}

/**
 * A channel entered the ordinary bridge `bridgeId`: if a parked client and an employee with no
 * conversation in its call are in it together, that employee took the client from the slot.
 */
export function retrievedInBridge(ctx: Ctx, bridgeId: string): void {
  const members = (ctx.state.bridgeIndex[bridgeId] ?? []).slice();
  if (members.length < 2) return;
  for (const id of members) {
    const parkee = ctx.channelById(id);
    if (!parkee || parkee.endedAt) continue;
    const park = openPark(ctx.callOf(parkee), parkee.id);
    if (!park) continue;
    for (const otherId of members) {
      const other = ctx.channelById(otherId);
      if (!other || other === parkee || other.kind !== "employee" || other.endedAt) continue;
      if (ctx.callOf(other).conversations[other.id]) continue; // already in the call (e.g. dialled back after a timeout)
      retrieve(ctx, parkee, other, park.space);
      return;
    }
  }
}

/** `retriever` took `parkee` from its slot: the park ends, the retriever joins the client's call as a callee. */
function retrieve(ctx: Ctx, parkee: ChannelRecord, retriever: ChannelRecord | undefined, space: string): void {
  const park = closePark(ctx, parkee, "retrieved", extOfChannel(ctx, retriever));
  if (!retriever || retriever.kind !== "employee" || retriever.endedAt) return;
  const call = joinCall(ctx, retriever, ctx.callOf(parkee));
  if (!retriever.dialedBy) retriever.dialedBy = parkee.id;
  if (call.conversations[retriever.id]) return;
  const conv = openConversation(ctx, call, retriever, "callee", park?.parker ?? "");
  if (conv) conv.retrievedFrom = park?.space ?? space;
}

export function parkEnded(ctx: Ctx, msg: AmiMessage, outcome: "timeout" | "giveup"): void {
  const parkee = parkeeOf(ctx, msg);
  if (parkee) closePark(ctx, parkee, outcome);
}

export function pickup(ctx: Ctx, msg: AmiMessage): void {
  const target = channelFrom(ctx, msg, "Target", false);
  const picker = channelFrom(ctx, msg, "", true);
  if (!target) {
    if (msg.get("TargetUniqueid")) ctx.diag("unknown_channel", msg.get("TargetChannel") ?? "");
    return;
  }
  let call = ctx.callOf(target);
  const from = extOfChannel(ctx, target);
  const targetConv = call.conversations[target.id];
  if (targetConv && !targetConv.acceptedAt && !targetConv.endedAt) endConversation(ctx, call, targetConv, "picked_up");
  if (!picker || picker.kind !== "employee" || picker.endedAt) {
    ctx.touch(call);
    return;
  }
  call = joinCall(ctx, picker, call);
  // The picker takes the ringing leg's place in the call: same caller, same queue / ring group.
  picker.dialedBy ||= target.dialedBy;
  picker.queue ||= target.queue;
  picker.via ||= target.via;
  const by = extOfChannel(ctx, picker);
  (call.pickups ??= []).push({ at: ctx.now, by, from });
  ctx.touch(call);
  if (call.conversations[picker.id]) return;
  const conv = openConversation(ctx, call, picker, "callee");
  if (conv) conv.pickedUpFrom = from;
}
