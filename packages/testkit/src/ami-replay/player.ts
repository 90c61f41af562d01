import { AmiMessage, type AmiLogger } from "@asterisk-b24/ami";
import type { ChannelTracker } from "./channels.js";
import { withActionId, withShiftedIds, type Playlist, type PlaylistSegment } from "./playlist.js";

/** Where the player writes the stream: one logged-in client session. */
export interface StreamSink {
  readonly id: number;
  /** Sends one event to the client (subject to its Events setting and filters). */
  sendEvent(message: AmiMessage): void;
  /** Resolves when everything written so far has been handed to the kernel. */
  flushed(): Promise<void>;
  /** Simulated fault: flush, then destroy the socket without Goodbye. */
  fault(): Promise<void>;
}

export interface AmiReplayDrop {
  /** Playlist index at which the connection is dropped, before that message is sent. */
  atMessage: number;
  /** How many messages (from atMessage on) happen while nobody is connected: never delivered. Default 0. */
  lose?: number;
  /**
   * When the stream continues after the client logged in again: right away (default), or only
   * after the server answered a CoreShowChannels (deterministic reconnect-reconciliation tests).
   */
  resume?: "immediately" | "afterCoreShowChannels";
}

export interface PlayerOptions {
  speed: number | "asap";
  loop: boolean;
  gapMs: number;
  /** Looping: make Uniqueid/Linkedid values unique per pass (see withShiftedIds). */
  freshIdsPerPass: boolean;
  /**
   * Add a `Timestamp: <epoch s>.<µs>` header to every event, as Asterisk does with
   * `timestampevents = yes`: the recorded time, so durations are right at any replay speed.
   * The value is the epoch (ms) of the playlist's clock 0; undefined = no Timestamp headers.
   */
  timestampBaseMs?: number;
  /**
   * Epoch (ms) of the playlist's clock 0 on the PBX's own clock (what Ping's Timestamp and
   * CDR(answer,u) read); defaults to `timestampBaseMs`, else the wall clock when the player starts.
   */
  pbxClockBaseMs?: number;
  /**
   * Start the stream this far (ms of replay clock) into the playlist: what happened before is
   * applied to the channel table (CoreShowChannels and Getvar tell it) but never sent, as for a
   * connector started while those calls are already up.
   */
  startAtMs?: number;
  drop: AmiReplayDrop | undefined;
  channels: ChannelTracker;
  logger: AmiLogger;
}

/**
 * Plays the playlist to the current sink at recorded pace × speed (or as fast as possible),
 * pausing while no client is logged in. One cursor for the whole server: a client that
 * reconnects continues where the stream stopped.
 */
export class ReplayPlayer {
  readonly #items: Playlist["items"];
  readonly #segments: PlaylistSegment[];
  readonly #opts: PlayerOptions;
  readonly #sinks = new Set<StreamSink>();
  /** Live Originate ActionID per recording index (claimed segments). */
  readonly #claims = new Map<number, string | undefined>();
  /** Live Originate variables per claimed recording: recorded VarSet values of these names are replaced. */
  readonly #claimVars = new Map<number, Map<string, string>>();
  /**
   * Live Originate variables the recording never set: Asterisk sets every Originate variable on
   * the channel (a VarSet each), so they are played beside the first recorded one that is replaced.
   */
  readonly #claimExtraVars = new Map<number, Map<string, string>>();
  #cursor = 0;
  #sent = 0;
  #pass = 0;
  #clock = 0;
  #dropped = false;
  #holdForCsc = false;
  #stopped = false;
  #finished = false;
  #wake: (() => void) | undefined;
  #sleepTimer: NodeJS.Timeout | undefined;
  #sleepResolve: (() => void) | undefined;
  readonly done: Promise<void>;
  #resolveDone!: () => void;
  readonly #pbxBase: number;
  /** Replay clock the pacing of the first message sent starts from (startAtMs). */
  #paceFrom: number | undefined;

  constructor(playlist: Playlist, options: PlayerOptions) {
    this.#items = playlist.items;
    this.#segments = playlist.segments;
    this.#opts = options;
    this.#pbxBase = options.pbxClockBaseMs ?? options.timestampBaseMs ?? Date.now();
    this.done = new Promise((resolve) => (this.#resolveDone = resolve));
    if (options.startAtMs !== undefined) {
      this.#applyUnsent((item) => item.clock < options.startAtMs!);
      // The PBX is at the start time, and the first message sent keeps its distance from it.
      this.#clock = Math.max(this.#clock, options.startAtMs);
      this.#paceFrom = this.#clock;
    }
    void this.#run();
  }

  /** Moves the cursor over the items `pred` accepts: the PBX lives them, no client hears them. */
  #applyUnsent(pred: (item: Playlist["items"][number], index: number) => boolean): void {
    while (this.#cursor < this.#items.length && pred(this.#items[this.#cursor]!, this.#cursor)) {
      const item = this.#items[this.#cursor]!;
      if (!item.skip) this.#opts.channels.apply(this.#opts.freshIdsPerPass ? withShiftedIds(item.message, this.#pass) : item.message, item.clock);
      this.#clock = item.clock;
      this.#cursor++;
    }
  }

  /** The PBX's clock (epoch ms) at replay clock `clock` of the current pass. */
  epochOf(clock: number): number {
    return this.#pbxBase + this.#passOffset() + clock;
  }

  /** The PBX's clock now: the recorded time of the last message played (or lost). */
  get pbxNow(): number {
    return this.epochOf(this.#clock);
  }

  /** Playlist index of the next message to play. */
  get position(): number {
    return this.#cursor;
  }

  /** Messages actually written to clients. */
  get sent(): number {
    return this.#sent;
  }

  /** Replay clock (ms) of the last message played or lost. */
  get clock(): number {
    return this.#clock;
  }

  /** Clock offset of the current pass: passes follow each other on the Timestamp time line. */
  #passOffset(): number {
    if (this.#pass === 0) return 0;
    const last = this.#items[this.#items.length - 1];
    return this.#pass * ((last?.clock ?? 0) + this.#opts.gapMs + 1000);
  }

  /** Index of the recording whose click-to-call part waits for a live Originate, if any. */
  get waitingForOriginate(): number | undefined {
    const item = this.#items[this.#cursor];
    return item?.originateWait && !this.#claims.has(item.rec) ? item.rec : undefined;
  }

  /** Completed passes over the playlist (looping). */
  get pass(): number {
    return this.#pass;
  }

  get finished(): boolean {
    return this.#finished;
  }

  /** A session logged in with events on: the stream goes to the oldest such session. */
  attach(sink: StreamSink): void {
    this.#sinks.add(sink);
    this.#notify();
  }

  detach(sink: StreamSink): void {
    this.#sinks.delete(sink);
    this.#notify();
  }

  /**
   * A live Originate arrived. If the recording being played waits for one, the segment is
   * claimed: its recorded Originate reply and OriginateResponse will carry `actionId`, and the
   * caller must not answer on its own. Returns false if nothing waits (answer synthetically).
   */
  claimOriginate(actionId: string | undefined, variables: ReadonlyMap<string, string> = new Map()): boolean {
    if (this.#finished) return false;
    const seg = this.#segments.find((s) => this.#cursor >= s.start && this.#cursor < s.end);
    if (!seg || !seg.onOriginate || this.#cursor > seg.split) return false;
    const rec = this.#items[seg.start]!.rec;
    if (this.#claims.has(rec)) return false;
    this.#claims.set(rec, actionId);
    this.#claimVars.set(rec, new Map(variables));
    const recorded = new Set<string>();
    for (let i = seg.start; i < seg.end; i++) {
      const m = this.#items[i]!.message;
      if (m.event === "VarSet") recorded.add((m.get("Variable") ?? "").replace(/^_+/, ""));
    }
    this.#claimExtraVars.set(rec, new Map([...variables].filter(([name]) => !recorded.has(name))));
    this.#notify();
    return true;
  }

  /** The server answered a CoreShowChannels (releases `resume: "afterCoreShowChannels"`). */
  coreShowChannelsAnswered(): void {
    if (this.#holdForCsc) {
      this.#holdForCsc = false;
      this.#notify();
    }
  }

  stop(): void {
    this.#stopped = true;
    if (this.#sleepTimer) clearTimeout(this.#sleepTimer);
    this.#sleepResolve?.();
    this.#notify();
    this.#resolveDone();
  }

  get #sink(): StreamSink | undefined {
    for (const s of this.#sinks) return s;
    return undefined;
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #changed(): Promise<void> {
    return new Promise((resolve) => {
      const prev = this.#wake;
      this.#wake = () => {
        prev?.();
        resolve();
      };
    });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#sleepResolve = resolve;
      this.#sleepTimer = setTimeout(() => {
        this.#sleepTimer = undefined;
        this.#sleepResolve = undefined;
        resolve();
      }, ms);
    });
  }

  async #run(): Promise<void> {
    const items = this.#items;
    const { speed, drop } = this.#opts;
    let lastClock: number | undefined;
    let lastWall = 0;
    let sinceYield = 0;
    for (;;) {
      if (this.#stopped) return;
      if (this.#cursor >= items.length) {
        if (!this.#opts.loop || items.length === 0) {
          this.#finished = true;
          this.#opts.logger.info({ sent: this.#sent }, "AMI replay: playlist finished");
          this.#resolveDone();
          return;
        }
        this.#cursor = 0;
        this.#pass++;
        this.#claims.clear();
        this.#claimVars.clear();
        this.#claimExtraVars.clear();
        lastClock = undefined;
        if (this.#opts.gapMs > 0) await this.#sleep(this.#opts.gapMs);
        continue;
      }

      if (drop && !this.#dropped && this.#cursor === drop.atMessage) {
        const sink = this.#sink;
        if (!sink) {
          await this.#changed();
          continue;
        }
        this.#dropped = true;
        this.#opts.logger.info({ atMessage: drop.atMessage, lose: drop.lose ?? 0 }, "AMI replay: dropping the connection (fault)");
        await sink.fault();
        this.#sinks.delete(sink);
        const end = Math.min(items.length, drop.atMessage + (drop.lose ?? 0));
        this.#applyUnsent((_, i) => i < end);
        if (drop.resume === "afterCoreShowChannels") this.#holdForCsc = true;
        lastClock = undefined;
        continue;
      }

      const item = items[this.#cursor]!;
      if (item.skip) {
        this.#cursor++;
        continue;
      }
      if (!this.#sink || this.#holdForCsc || (item.originateWait && !this.#claims.has(item.rec))) {
        await this.#changed();
        lastClock = undefined;
        continue;
      }

      if (speed === "asap") {
        if (++sinceYield >= 32) {
          sinceYield = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
          continue; // re-check the sink before sending
        }
      } else {
        const now = performance.now();
        if (lastClock === undefined || item.clock < lastClock) {
          lastClock = this.#paceFrom !== undefined && this.#paceFrom <= item.clock ? this.#paceFrom : item.clock;
          lastWall = now;
        }
        this.#paceFrom = undefined;
        const target = lastWall + (item.clock - lastClock) / speed;
        if (target > now + 1) {
          await this.#sleep(target - now);
          lastClock = item.clock;
          lastWall = target;
          continue; // re-check the sink before sending
        }
        lastClock = item.clock;
        lastWall = Math.max(target, now - 1000);
      }

      const sink = this.#sink!;
      const played = this.#opts.freshIdsPerPass ? withShiftedIds(item.message, this.#pass) : item.message;
      let message = this.#opts.timestampBaseMs === undefined ? played : withTimestamp(played, this.#opts.timestampBaseMs + this.#passOffset() + item.clock);
      const seg = this.#segments[item.rec]!;
      if (seg.recordedOriginateId !== undefined && message.actionId === seg.recordedOriginateId && this.#claims.has(item.rec)) {
        message = withActionId(message, this.#claims.get(item.rec));
      }
      const liveVars = this.#claimVars.get(item.rec);
      if (liveVars && liveVars.size > 0 && message.event === "VarSet") {
        const name = (message.get("Variable") ?? "").replace(/^_+/, "");
        const live = liveVars.get(name);
        if (live !== undefined) {
          message = new AmiMessage(message.fields.map(([k, v]) => [k, k.toLowerCase() === "value" ? live : v] as const));
          const extras = this.#claimExtraVars.get(item.rec);
          this.#claimExtraVars.delete(item.rec);
          for (const [name, value] of extras ?? []) {
            const varSet = message;
            sink.sendEvent(new AmiMessage(varSet.fields.map(([k, v]) => [k, k.toLowerCase() === "variable" ? name : k.toLowerCase() === "value" ? value : v] as const)));
            this.#sent++;
          }
        }
      }
      this.#opts.channels.apply(played, item.clock);
      this.#clock = item.clock;
      sink.sendEvent(message);
      this.#cursor++;
      this.#sent++;
      await sink.flushed();
    }
  }
}

/** Inserts `Timestamp` after `Privilege` (where Asterisk puts it with timestampevents = yes). */
export function withTimestamp(message: AmiMessage, epochMs: number): AmiMessage {
  if (message.event === undefined || message.has("Timestamp")) return message;
  const value = (epochMs / 1000).toFixed(6);
  const fields = [...message.fields];
  const at = fields.findIndex(([k]) => k.toLowerCase() === "privilege");
  fields.splice(at >= 0 ? at + 1 : 1, 0, ["Timestamp", value]);
  return new AmiMessage(fields);
}
