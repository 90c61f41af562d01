import type { AmiMessage } from "@asterisk-b24/ami";
import type { Logger } from "pino";
import {
  createTrackerState,
  expire,
  reconcile,
  stateFromCalls,
  track,
  type AdoptionClock,
  type CallRecord,
  type StageEvent,
  type TrackerConfig,
  type TrackerState,
  type TrackResult,
} from "../tracker/index.js";
import type { CallChange, CallOutbox } from "../outbox/call-outbox.js";
import { ClockSkew } from "./clock-skew.js";

/**
 * Time of an AMI event: Asterisk's `Timestamp` header (manager.conf `timestampevents = yes`,
 * recommended: timings then do not depend on our own delays), else the receive time.
 */
export function eventTime(message: AmiMessage, fallback: number = Date.now()): number {
  const ts = message.get("Timestamp");
  if (ts !== undefined) {
    const secs = Number(ts);
    if (Number.isFinite(secs) && secs > 0) return Math.round(secs * 1000);
  }
  return fallback;
}

export interface TrackerEngineOptions {
  config?: Partial<TrackerConfig>;
  /** Durable store; without it the engine is in-memory only (demo, replay command). */
  outbox?: CallOutbox;
  logger?: Logger;
  /** Called with every stage event after it was committed. */
  onStage?: (event: StageEvent) => void;
}

/**
 * The imperative shell around the pure tracker: feeds it AMI messages in arrival order, and
 * commits each step's changed calls and stage events to the outbox in one MULTI before the
 * next message is taken (the AMI client pauses the socket meanwhile), so a restart resumes
 * exactly where Redis says we were.
 */
export class TrackerEngine {
  #state: TrackerState = createTrackerState();
  #lastEventAt = 0;
  /** Did the last AMI event carry Asterisk's `Timestamp` (undefined before the first event)? */
  #eventsTimestamped: boolean | undefined;
  /** PBX clock − ours, as the last timestamped event showed it (ms). */
  #eventsPbxOffsetMs: number | undefined;
  /** PBX clock − ours over recent timestamped events (robust to delivery delays). */
  readonly #clockSkew = new ClockSkew();
  /** Every state change runs after the previous one committed: AMI events, our own actions, reconcile, expiry. */
  #queue: Promise<unknown> = Promise.resolve();
  readonly #config: Partial<TrackerConfig>;
  diagnostics = 0;

  constructor(readonly options: TrackerEngineOptions = {}) {
    this.#config = options.config ?? {};
  }

  /** Loads the calls a previous process left in progress. */
  async restore(): Promise<number> {
    const outbox = this.options.outbox;
    if (!outbox) return 0;
    const calls = (await outbox.loadActiveStates()) as Map<string, CallRecord>;
    const globals = (await outbox.loadGlobals()) as Pick<TrackerState, "originates" | "recentOriginated"> | undefined;
    this.#state = stateFromCalls(calls.values(), globals);
    return calls.size;
  }

  get state(): Readonly<TrackerState> {
    return this.#state;
  }

  /** PBX clock − ours (ms) measured on recent AMI events' `Timestamp`; undefined until one came. */
  get pbxClockSkewMs(): number | undefined {
    return this.#clockSkew.skewMs;
  }

  get activeCalls(): number {
    return Object.keys(this.#state.calls).length;
  }

  /** One AMI message (event, or our own Originate action). */
  handle(message: AmiMessage, now: number = eventTime(message)): Promise<StageEvent[]> {
    if (message.event !== undefined) {
      const local = Date.now();
      const ts = eventTime(message, Number.NaN);
      this.#eventsTimestamped = !Number.isNaN(ts);
      if (this.#eventsTimestamped) {
        this.#eventsPbxOffsetMs = ts - local;
        this.#clockSkew.observe(ts, local);
      }
    }
    return this.#serial(() => {
      this.#lastEventAt = Math.max(this.#lastEventAt, now);
      return this.#apply(track(this.#state, message, now, this.#config), now, message.has("Action"));
    });
  }

  /**
   * After (re)connecting: make our calls agree with Asterisk's live channels. The snapshot is
   * applied on the clock the events' times are on: the PBX's (events carry `Timestamp`, or none
   * came yet) — read as our clock + `pbxOffsetMs` (the PBX's lead measured by the caller, e.g. with
   * Ping, else as the last event showed it) — or ours (events without `Timestamp`); PBX times of
   * the snapshot (CDR answer times) are converted to it.
   */
  reconcile(liveChannels: readonly AmiMessage[], options: { pbxOffsetMs?: number | undefined; now?: number } = {}): Promise<StageEvent[]> {
    return this.#serial(() => {
      const pbxClock = this.#eventsTimestamped !== false;
      const offset = options.pbxOffsetMs ?? this.#eventsPbxOffsetMs;
      const clock: AdoptionClock = { pbxOffsetMs: pbxClock ? 0 : (options.pbxOffsetMs ?? 0) };
      // Never before the events already applied.
      const at = options.now ?? Math.max(Date.now() + (pbxClock ? (offset ?? 0) : 0), this.#lastEventAt);
      return this.#apply(reconcile(this.#state, liveChannels, at, this.#config, clock), at, true);
    });
  }

  /** Closes calls with no event for `staleCallMs` (timer). */
  expireStale(now = Date.now()): Promise<StageEvent[]> {
    return this.#serial(() => this.#apply(expire(this.#state, now, this.#config), now, true));
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #apply(result: TrackResult<TrackerState>, now: number, globalsMayChange: boolean): Promise<StageEvent[]> {
    this.#state = result.state;
    if (result.diagnostics.length) {
      this.diagnostics += result.diagnostics.length;
      for (const d of result.diagnostics) this.options.logger?.debug({ diagnostic: d }, "tracker diagnostic");
    }
    const outbox = this.options.outbox;
    if (outbox && (result.touched.length > 0 || result.events.length > 0 || globalsMayChange)) {
      const byCall = new Map<string, CallChange>();
      for (const key of result.touched) byCall.set(key, { callKey: key, state: this.#state.calls[key] ?? null, stages: [] });
      for (const ev of result.events) {
        let change = byCall.get(ev.callKey);
        if (!change) {
          change = { callKey: ev.callKey, state: this.#state.calls[ev.callKey] ?? null, stages: [] };
          byCall.set(ev.callKey, change);
        }
        change.stages.push(ev);
      }
      const globals =
        globalsMayChange || result.events.some((e) => e.call.click_to_call) ? { originates: this.#state.originates, recentOriginated: this.#state.recentOriginated } : undefined;
      await outbox.commit([...byCall.values()], now, globals);
    }
    if (this.options.onStage) for (const ev of result.events) this.options.onStage(ev);
    return result.events;
  }
}
