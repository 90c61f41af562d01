/**
 * After an AMI reconnect: compare what we track with what Asterisk says is live
 * (`CoreShowChannels` → one `CoreShowChannel` event per channel) and make them agree.
 *
 * - live channels we never saw are adopted (joined to their call by Linkedid, or a new call);
 * - known channels that are still live get their state, linkedid and bridge refreshed
 *   (conversations that got answered while we were away are accepted now);
 * - known channels that are gone are hung up; a call with no channel left is closed
 *   (call_ended, end_reason "reconcile") with what we know.
 * Pure like `track`: the caller fetches the list, this only decides.
 *
 * Talk time of an adopted call (and of a conversation answered while we were away): a
 * conversation already going on is accepted when it began by what Asterisk still knows — the
 * answer time of the CDRs of the employee's channel and of the party it is bridged with
 * (`CDR(answer,u)`, ChanVariable), the later of the two, kept between the channel's creation
 * (now − its `Duration`) and now; without a CDR answer, now (the adoption). PBX times are
 * converted with `clock.pbxOffsetMs` to the clock of `now`.
 */
import type { AmiMessage } from "@asterisk-b24/ami";
import { compileConfig, type TrackerConfig } from "./config.js";
import { isBlankNumber } from "./classify.js";
import { ANSWER_TIME_VARIABLE, DIALED_NUMBER_VARIABLE } from "./config.js";
import { channelFrom, connectedAnsweredSince, Ctx, enterBridge, evaluate, hangupChannel, leaveBridge, olderKey, openConversation, roleForDialed } from "./context.js";
import { applyVariable, chanVariables } from "./variables.js";
import type { CallRecord, ChannelRecord, TrackerState } from "./model.js";
import type { TrackResult } from "./stage-event.js";

/** "01:02:03" → ms. */
function durationMs(s: string | undefined): number {
  if (!s) return 0;
  const parts = s.split(":").map(Number);
  if (parts.some((n) => !Number.isFinite(n))) return 0;
  let secs = 0;
  for (const p of parts) secs = secs * 60 + p;
  return secs * 1000;
}

function hasOtherParty(call: CallRecord, ch: ChannelRecord): boolean {
  for (const id of call.order) {
    const c = call.channels[id]!;
    if (c !== ch && !c.movedTo && (c.kind === "trunk" || c.kind === "employee")) return true;
  }
  return false;
}

function uidOrder(a: string, b: string): number {
  if (a === b) return 0;
  return olderKey(a, b) === a ? -1 : 1;
}

/**
 * An adopted channel's Context/Exten are where it is NOW in the dialplan (a queue number, `s`
 * after a Goto), not necessarily the number it called. A trunk's Exten that looks like an
 * extension is not our DID (the DID then comes from FROM_DID); an employee inside Dial called
 * the Dial's target. A trunk leg that did not start its call was dialled by us: its number comes
 * from DIALEDPEERNUMBER (ChanVariable).
 */
function adoptFacts(ctx: Ctx, ch: ChannelRecord, m: AmiMessage): void {
  if (ch.kind === "employee") {
    if (m.get("Application") === "Dial") ch.exten = dialTarget(m.get("ApplicationData") ?? "") || ch.exten;
  } else if (ch.kind === "trunk" && ctx.cfg.internal.test(ch.exten)) {
    ch.exten = ""; // a queue / ring group / extension number the call was sent to, not our DID
  }
}

/** `PJSIP/89161234567@provider,60,Tt` → 89161234567@provider (the first technology/resource of a Dial). */
function dialTarget(appData: string): string {
  const first = appData.split(",")[0]!.split("&")[0]!;
  const slash = first.indexOf("/");
  return slash >= 0 ? first.slice(slash + 1) : "";
}

/** How the PBX's clock relates to the tracker's `now`. */
export interface AdoptionClock {
  /**
   * PBX epoch ms − tracker ms: 0 when the tracker's times are the PBX's own (events carry
   * `Timestamp`), else the PBX's lead over the clock `now` is read from. Default 0.
   */
  pbxOffsetMs?: number;
}

/** `1795257492.423000` (CDR(answer,u)) → ms on the tracker's clock; 0 when unanswered or unreadable. */
function answerTime(value: string, clock: AdoptionClock): number {
  const secs = Number(value);
  if (!Number.isFinite(secs) || secs <= 0) return 0;
  return Math.round(secs * 1000) - (clock.pbxOffsetMs ?? 0);
}

export function reconcile(
  state: TrackerState,
  liveChannels: readonly AmiMessage[],
  now: number,
  config: Partial<TrackerConfig> = {},
  clock: AdoptionClock = {},
): TrackResult<TrackerState> {
  const ctx = new Ctx(state, compileConfig(config), now, "CoreShowChannel");
  try {
    run(ctx, liveChannels, clock);
  } catch (err) {
    ctx.diag("internal_error", err instanceof Error ? err.message : String(err));
  }
  return { state, events: ctx.events, touched: ctx.touched, diagnostics: ctx.diagnostics };
}

function run(ctx: Ctx, liveChannels: readonly AmiMessage[], clock: AdoptionClock): void {
  const entries = liveChannels
    .filter((m) => (m.event ?? "CoreShowChannel") === "CoreShowChannel" && m.get("Uniqueid"))
    .map((m) => ({ m, dur: durationMs(m.get("Duration")) }))
    // Oldest first, so each call's channel order is right. Durations have 1 s steps and Asterisk
    // lists channels in hash order: equal durations are ordered by uniqueid (creation order).
    .sort((a, b) => b.dur - a.dur || uidOrder(a.m.get("Uniqueid")!, b.m.get("Uniqueid")!));
  const liveIds = new Set<string>();
  const seen: ChannelRecord[] = [];
  for (const { m, dur } of entries) {
    const uid = m.get("Uniqueid")!;
    liveIds.add(uid);
    const known = ctx.channelById(uid);
    const answeredBefore = known !== undefined && known.answeredAt > 0;
    const ch = channelFrom(ctx, m, "", true);
    if (!ch) continue;
    if (!known) {
      ch.origin = "adopted";
      ch.createdAt = ctx.now - dur;
      const call = ctx.callOf(ch);
      if (call.order.length === 1 && call.createdAt > ch.createdAt) call.createdAt = ch.createdAt;
      adoptFacts(ctx, ch, m);
    }
    for (const [name, value] of chanVariables(m)) {
      if (name === DIALED_NUMBER_VARIABLE) {
        // What Dial put on the leg it dialled: the number of an outgoing trunk leg.
        if (!known && ch.kind === "trunk" && ch.id !== ch.linkedid && !ch.dialString && !isBlankNumber(value)) ch.dialString = value;
      } else if (name === ANSWER_TIME_VARIABLE) {
        // Answered before we came in (or while we were away): when, on our clock (1 s slack for Duration's whole seconds).
        const at = answerTime(value, clock);
        if (!answeredBefore && ch.state === 6 && at > 0) ch.answeredAt = Math.min(ctx.now, Math.max(ch.createdAt - 1000, at));
      } else applyVariable(ctx, ch, name, value);
    }
    const bridge = m.get("BridgeId") ?? "";
    if (bridge) enterBridge(ctx, ch, bridge, false);
    else leaveBridge(ctx, ch);
    seen.push(ch);
  }
  // Employees on a live call without a conversation (we missed their DialBegin).
  for (const ch of seen) {
    if (ch.kind !== "employee" || ch.endedAt) continue;
    const call = ctx.callOf(ch);
    if (call.conversations[ch.id]) continue;
    const starter = ch.origin === "incoming" || (ch.origin === "adopted" && ch.id === ch.linkedid);
    const conv = starter ? (hasOtherParty(call, ch) ? openConversation(ctx, call, ch, "caller") : undefined) : openConversation(ctx, call, ch, roleForDialed(call, ch));
    if (conv && ch.origin === "adopted" && ch.createdAt < conv.requestedAt) conv.requestedAt = ch.createdAt;
  }
  // Channels that vanished while we were away.
  for (const key of Object.keys(ctx.state.calls)) {
    const call = ctx.state.calls[key];
    if (!call) continue;
    for (const id of call.order.slice()) {
      const ch = call.channels[id]!;
      if (ch.endedAt || ch.movedTo || liveIds.has(id)) continue;
      hangupChannel(ctx, ch, -1, "reconcile");
      if (!ctx.state.calls[key]) break;
    }
  }
  for (const key in ctx.state.calls) {
    const call = ctx.state.calls[key]!;
    if (ctx.touched.includes(key)) evaluate(ctx, call, (ch) => talkingSince(ctx, call, ch));
  }
}

/**
 * When a conversation found going on began: the later of its channel's answer and that of the
 * party it talks to (a caller's phone may be up before the callee answers), never after now.
 * Without an answer time from Asterisk the channel's answer is now: the conversation counts from here.
 */
function talkingSince(ctx: Ctx, call: CallRecord, ch: ChannelRecord): number {
  if (ch.answeredAt >= ctx.now) return ctx.now;
  const peer = connectedAnsweredSince(ctx, call, ch);
  return Math.min(ctx.now, Math.max(ch.answeredAt, peer));
}
