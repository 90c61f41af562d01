/**
 * For a portal that cannot reach the b24-app: events are bound as `offline` and fetched here with
 * event.offline.get (clear=0), queued, then confirmed with event.offline.clear. An event is
 * cleared only after it is durable in the queue, so a crash in between redelivers it (the queue's
 * job id de-duplicates). Events fetched with our own credential need no application_token check.
 */
import type { Logger } from "pino";
import { isClickToCallEvent, type ClickToCallQueue } from "./event-queue.js";
import type { PortalClient } from "./portal-client.js";

interface OfflineEvent {
  ID: number | string;
  EVENT_NAME: string;
  EVENT_DATA: Record<string, unknown>;
  MESSAGE_ID?: string;
}

export interface OfflinePollerDeps {
  portal: PortalClient;
  queue: ClickToCallQueue;
  intervalMs: number;
  logger: Logger;
  onQueued?: (jobId: string, via: "online" | "offline") => void;
}

export class OfflinePoller {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  polls = 0;
  queued = 0;
  lastError: string | undefined;

  constructor(private readonly d: OfflinePollerDeps) {}

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.pollOnce()
        .then((more) => this.#schedule(more ? 0 : this.d.intervalMs))
        .catch((err: Error) => {
          this.lastError = err.message;
          this.d.logger.warn({ err: err.message }, "offline events: poll failed");
          this.#schedule(this.d.intervalMs);
        });
    }, delay);
  }

  /** One round: fetch, queue, clear. Resolves true when the portal may hold more. */
  async pollOnce(limit = 50): Promise<boolean> {
    this.polls++;
    const got = await this.d.portal.call<{ process_id: string | null; events: OfflineEvent[] }>("event.offline.get", { clear: 0, limit });
    const events = got?.events ?? [];
    if (events.length === 0) return false;
    for (const e of events) {
      const name = String(e.EVENT_NAME).toUpperCase();
      if (!isClickToCallEvent(name)) continue;
      const { jobId, added } = await this.d.queue.add(
        { event: name, data: e.EVENT_DATA ?? {}, via: "offline", ts: 0, receivedAt: new Date().toISOString(), domain: "" },
        String(e.MESSAGE_ID ?? e.ID),
      );
      if (added) {
        this.queued++;
        this.d.onQueued?.(jobId, "offline");
      }
      this.d.logger.info({ event: name, callId: e.EVENT_DATA?.CALL_ID, jobId, duplicate: !added }, "offline click-to-call event queued");
    }
    if (got.process_id) await this.d.portal.call("event.offline.clear", { process_id: got.process_id, id: events.map((e) => Number(e.ID)) });
    this.lastError = undefined;
    return events.length >= limit;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
  }
}
