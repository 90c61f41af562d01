import { AmiActionTimeoutError, type AmiError } from "./errors.js";
import type { AmiMessage } from "./message.js";
import type { AmiActionResult } from "./result.js";

interface Pending {
  action: string;
  actionId: string;
  /** Internal (login, keepalive) actions don't count for backpressure decisions. */
  internal: boolean;
  timer: NodeJS.Timeout;
  resolve(result: AmiActionResult): void;
  reject(error: Error): void;
  response?: AmiMessage;
  events: AmiMessage[];
  /** 0: plain; 1: EventList (`EventList: start`); 2: pre-13.2 list ("... will follow", ends with *Complete). */
  list: 0 | 1 | 2;
}

/**
 * Matches replies to pending actions by ActionID and aggregates EventList replies
 * (`EventList: start` … items … `EventList: Complete` / `cancelled`) into one result.
 * Each action has its own timeout covering the whole reply, list included.
 */
export class ActionCorrelator {
  readonly #pending = new Map<string, Pending>();
  #userPending = 0;

  /** Called whenever the number of pending non-internal actions changes. */
  onUserPendingChange: () => void = () => {};

  get size(): number {
    return this.#pending.size;
  }

  /** Pending actions issued by the library user (not login/keepalive). */
  get userPending(): number {
    return this.#userPending;
  }

  register(action: string, actionId: string, timeoutMs: number, internal: boolean): Promise<AmiActionResult> {
    return new Promise<AmiActionResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.#remove(actionId)) reject(new AmiActionTimeoutError(action, actionId, timeoutMs));
      }, timeoutMs);
      timer.unref?.();
      this.#pending.set(actionId, { action, actionId, internal, timer, resolve, reject, events: [], list: 0 });
      if (!internal) {
        this.#userPending++;
        this.onUserPendingChange();
      }
    });
  }

  /** Rejects one pending action (e.g. its write failed). */
  fail(actionId: string, error: Error): void {
    const p = this.#pending.get(actionId);
    if (p && this.#remove(actionId)) p.reject(error);
  }

  /** Offers a received message; returns true if it belonged to a pending action. */
  handle(message: AmiMessage): boolean {
    const id = message.actionId;
    if (id === undefined) return false;
    const p = this.#pending.get(id);
    if (!p) return false;
    const isEvent = message.event !== undefined;
    if (p.response === undefined) {
      if (isEvent) return false; // an event before the response: not ours to hold
      p.response = message;
      const eventList = message.get("EventList")?.toLowerCase();
      if (eventList === "start") p.list = 1;
      else if (eventList === undefined && /will follow/i.test(message.get("Message") ?? "") && !/error/i.test(message.response ?? "")) p.list = 2;
      if (p.list === 0) this.#finish(p, undefined);
      return true;
    }
    if (!isEvent) return false; // a second response with the same ID: not expected, pass it on
    const state = message.get("EventList")?.toLowerCase();
    if (state === "complete" || state === "cancelled" || (p.list === 2 && /complete$/i.test(message.event ?? ""))) {
      this.#finish(p, message);
    } else {
      p.events.push(message);
    }
    return true;
  }

  /** Rejects every pending action at once (connection dropped). */
  failAll(makeError: (action: string, actionId: string) => AmiError): void {
    const all = [...this.#pending.values()];
    for (const p of all) {
      if (this.#remove(p.actionId)) p.reject(makeError(p.action, p.actionId));
    }
  }

  #finish(p: Pending, complete: AmiMessage | undefined): void {
    if (!this.#remove(p.actionId)) return;
    const response = p.response!;
    const cancelled = complete?.get("EventList")?.toLowerCase() === "cancelled";
    const result: AmiActionResult = {
      actionId: p.actionId,
      response,
      events: p.events,
      ok: response.response?.toLowerCase() !== "error" && !cancelled,
      cancelled,
    };
    if (complete) result.complete = complete;
    p.resolve(result);
  }

  #remove(actionId: string): boolean {
    const p = this.#pending.get(actionId);
    if (!p) return false;
    clearTimeout(p.timer);
    this.#pending.delete(actionId);
    if (!p.internal) {
      this.#userPending--;
      this.onUserPendingChange();
    }
    return true;
  }
}
