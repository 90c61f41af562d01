/**
 * Safety net for calls whose end we never saw (lost Hangup, a reconnect without reconcile):
 * a call with no event for `staleCallMs` is closed (call_ended, end_reason "expired").
 * Also forgets Originate bookkeeping older than `originateMemoryMs`. Pure; call it from a timer.
 */
import { compileConfig, type TrackerConfig } from "./config.js";
import { closeCall, Ctx } from "./context.js";
import type { TrackerState } from "./model.js";
import type { TrackResult } from "./stage-event.js";

export function expire(state: TrackerState, now: number, config: Partial<TrackerConfig> = {}): TrackResult<TrackerState> {
  const cfg = compileConfig(config);
  const ctx = new Ctx(state, cfg, now, "expire");
  const limit = now - cfg.raw.staleCallMs;
  for (const key of Object.keys(state.calls)) {
    const call = state.calls[key];
    if (call && call.lastEventAt < limit) closeCall(ctx, call, "expired");
  }
  const keep = now - cfg.raw.originateMemoryMs;
  for (const id in state.originates) if (state.originates[id]!.at < keep) delete state.originates[id];
  state.recentOriginated = state.recentOriginated.filter((r) => r.at >= keep);
  return { state, events: ctx.events, touched: ctx.touched, diagnostics: ctx.diagnostics };
}
