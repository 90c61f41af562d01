import type { AmiLogger } from "./logger.js";
import type { AmiMessage } from "./message.js";

export type AmiMessageHandler = (message: AmiMessage) => void | Promise<void>;

export interface EventQueueOptions {
  /** Above this many queued messages, `onHigh` is called (the client pauses the socket). */
  highWaterMark: number;
  /** At or below this, after a high, `onLow` is called (the client resumes the socket). */
  lowWaterMark: number;
  onHigh(): void;
  onLow(): void;
  logger: AmiLogger;
}

/**
 * FIFO between the socket and ONE async consumer. Messages are handed over strictly in arrival
 * order, one at a time: the next one only after the previous handler's promise settled. The
 * queue never drops anything; it signals high/low water so the producer (the socket) can pause.
 */
export class EventQueue {
  #items: (AmiMessage | undefined)[] = [];
  #head = 0;
  #handler: AmiMessageHandler | undefined;
  #running = false;
  #high = false;
  #idleWaiters: (() => void)[] = [];
  /** Largest queue length seen (diagnostics). */
  maxLength = 0;
  /** Messages handed to the consumer so far. */
  delivered = 0;
  /** Handler calls that threw / rejected (logged, then the next message is delivered). */
  handlerErrors = 0;

  constructor(private readonly options: EventQueueOptions) {}

  get length(): number {
    return this.#items.length - this.#head;
  }

  get isHigh(): boolean {
    return this.#high;
  }

  setHandler(handler: AmiMessageHandler): void {
    if (this.#handler) throw new Error("AmiClient: only one consumer may be registered");
    this.#handler = handler;
    this.#kick();
  }

  push(message: AmiMessage): void {
    this.#items.push(message);
    const len = this.length;
    if (len > this.maxLength) this.maxLength = len;
    if (!this.#high && len >= this.options.highWaterMark) {
      this.#high = true;
      this.options.onHigh();
    }
    this.#kick();
  }

  /** Resolves when every queued message has been handled (tests, shutdown). */
  idle(): Promise<void> {
    if (this.length === 0 && !this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #kick(): void {
    if (this.#running || !this.#handler || this.length === 0) return;
    this.#running = true;
    queueMicrotask(() => void this.#drain());
  }

  async #drain(): Promise<void> {
    const handler = this.#handler!;
    while (this.#head < this.#items.length) {
      const message = this.#items[this.#head]!;
      this.#items[this.#head] = undefined;
      this.#head++;
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      if (this.#high && this.length <= this.options.lowWaterMark) {
        this.#high = false;
        this.options.onLow();
      }
      try {
        await handler(message);
      } catch (err) {
        this.handlerErrors++;
        this.options.logger.error({ err, event: message.event }, "AMI consumer failed on a message; continuing with the next");
      }
      this.delivered++;
    }
    this.#running = false;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }
}
