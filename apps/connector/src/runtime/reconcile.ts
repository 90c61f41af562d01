import type { Logger } from "pino";
import type { AmiClient, AmiMessage } from "@asterisk-b24/ami";
import type { CallWorkerPool } from "../outbox/call-worker-pool.js";
import { adoptionVariables, ANSWER_TIME_VARIABLE, type TrackerConfig } from "../tracker/index.js";
import { withAdoptionVariables } from "./adopt-variables.js";
import type { TrackerEngine } from "./tracker-engine.js";

export interface ReconcileSummary {
  at: number;
  live: number;
  closed: number;
}

/**
 * Asks Asterisk which channels are live and makes the tracker agree (after every (re)connect).
 * The list is a snapshot at one point of the event stream, so it travels through the consumer
 * (deliverToConsumer) and is applied exactly there: never ahead of events still queued, never
 * after events that came later.
 */
export class Reconciler {
  #actionId: string | undefined;
  /** The PBX clock's lead over ours, measured with a Ping just before the CoreShowChannels. */
  #pbxOffset: Promise<number | undefined> = Promise.resolve(undefined);
  #list: AmiMessage[] = [];
  #last: ReconcileSummary | undefined;

  constructor(
    readonly ami: AmiClient,
    readonly engine: TrackerEngine,
    readonly pool: CallWorkerPool,
    readonly log: Logger,
    readonly trackerConfig: TrackerConfig,
  ) {}

  /** The last reconcile's outcome (status page). */
  get last(): ReconcileSummary | undefined {
    return this.#last;
  }

  /** True for a message of the CoreShowChannels list in flight: the consumer hands it to `onMessage`. */
  owns(message: AmiMessage): boolean {
    return this.#actionId !== undefined && message.actionId === this.#actionId;
  }

  async start(): Promise<void> {
    this.#pbxOffset = this.#measurePbxClock();
    try {
      await this.ami.action(
        { Action: "CoreShowChannels" },
        {
          deliverToConsumer: true,
          onSend: (a) => {
            this.#actionId = a.actionId;
            this.#list = [];
          },
        },
      );
    } catch (err) {
      this.#actionId = undefined;
      this.log.warn({ err: (err as Error).message }, "reconcile failed");
    }
  }

  async onMessage(message: AmiMessage): Promise<void> {
    if (message.event === "CoreShowChannel") {
      this.#list.push(message);
      return;
    }
    const state = message.get("EventList")?.toLowerCase();
    if (message.event === undefined && message.response?.toLowerCase() === "error") this.#actionId = undefined;
    if (message.event === undefined || (state !== "complete" && state !== "cancelled")) return;
    this.#actionId = undefined;
    const listed = this.#list;
    this.#list = [];
    // Live channels the tracker never saw: ask Asterisk what it still knows (recording, DID, …).
    const live = await withAdoptionVariables(this.ami, listed, {
      names: adoptionVariables(this.trackerConfig),
      isKnown: (uid) => uid in this.engine.state.channelIndex,
      // A channel we followed ringing that is up now was answered while we were away: when?
      knownNeed: { names: [ANSWER_TIME_VARIABLE], needs: (m) => m.get("ChannelState") === "6" && this.#unanswered(m.get("Uniqueid") ?? "") },
      logger: this.log,
    });
    const before = this.engine.activeCalls;
    const pbxOffsetMs = await this.#pbxOffset;
    const events = await this.engine.reconcile(live, { pbxOffsetMs });
    this.#last = { at: Date.now(), live: live.length, closed: events.filter((e) => e.stage === "call_ended").length };
    if (events.length) this.pool.notify();
    this.log.info({ live: live.length, trackedBefore: before, stageEvents: events.length, pbxOffsetMs }, "reconciled with CoreShowChannels");
  }

  #unanswered(uid: string): boolean {
    const state = this.engine.state;
    const key = state.channelIndex[uid];
    const ch = key === undefined ? undefined : state.calls[key]?.channels[uid];
    return ch !== undefined && ch.answeredAt === 0 && ch.endedAt === 0;
  }

  /**
   * Asterisk's Ping answer carries the PBX's clock (`Timestamp: <epoch>.<µs>`): its lead over ours,
   * taken at the middle of the round trip. Durations of adopted calls are then counted on the
   * PBX's clock like every event time, whatever the two machines' clocks say. undefined when the
   * PBX does not answer (the engine falls back to what the events showed).
   */
  async #measurePbxClock(): Promise<number | undefined> {
    try {
      const sent = Date.now();
      const res = await this.ami.action({ Action: "Ping" }, { timeoutMs: 2000 });
      const received = Date.now();
      const secs = Number(res.response.get("Timestamp"));
      if (!res.ok || !Number.isFinite(secs) || secs <= 0) return undefined;
      return Math.round(secs * 1000 - (sent + received) / 2);
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, "Ping for the PBX clock failed");
      return undefined;
    }
  }
}
