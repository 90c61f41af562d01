import type { Socket } from "node:net";
import { AmiParser, serializeFields, type AmiField, type AmiLogger, type AmiMessage } from "@asterisk-b24/ami";
import { EventFilter } from "./event-filter.js";
import type { StreamSink } from "./player.js";

export interface ChunkingOptions {
  /** Smallest chunk (bytes). Default 1. */
  minBytes?: number;
  /** Largest chunk (bytes). Default 16. */
  maxBytes?: number;
  /** PRNG seed (reproducible splits). Default 1. */
  seed?: number;
}

/** One client connection of the replay server. */
export class ReplaySession implements StreamSink {
  readonly filter = new EventFilter();
  loggedIn = false;
  eventsOn = true;
  #queue: Buffer[] = [];
  #pumping = false;
  #pumpIdle: (() => void)[] = [];

  constructor(
    readonly id: number,
    readonly socket: Socket,
    onAction: (session: ReplaySession, action: AmiMessage) => void,
    onClose: (session: ReplaySession) => void,
    private readonly chunking: { min: number; max: number; random: () => number } | undefined,
    logger: AmiLogger,
  ) {
    socket.setNoDelay(true);
    const parser = new AmiParser(
      { onMessage: (m) => onAction(this, m), onError: (e) => logger.warn({ session: id, reason: e.reason }, "AMI replay: malformed action") },
      { expectGreeting: false },
    );
    socket.on("data", (chunk: Buffer) => parser.push(chunk));
    socket.on("error", () => {});
    socket.on("close", () => {
      this.#queue = [];
      this.#releasePump();
      onClose(this);
    });
  }

  get open(): boolean {
    return !this.socket.destroyed;
  }

  /** Writes raw text (greeting, legacy Command reply) or fields. */
  write(data: string | readonly AmiField[]): void {
    if (this.socket.destroyed) return;
    const text = typeof data === "string" ? data : serializeFields(data);
    if (!this.chunking) {
      this.socket.write(text);
      return;
    }
    this.#queue.push(Buffer.from(text, "utf8"));
    if (!this.#pumping) void this.#pump();
  }

  sendEvent(message: AmiMessage): void {
    if (!this.eventsOn || !this.filter.allows(message)) return;
    this.write(message.fields);
  }

  async flushed(): Promise<void> {
    if (this.#pumping) await new Promise<void>((resolve) => this.#pumpIdle.push(resolve));
    const s = this.socket;
    if (!s.destroyed && s.writableNeedDrain) {
      await new Promise<void>((resolve) => {
        const done = () => {
          s.off("drain", done);
          s.off("close", done);
          resolve();
        };
        s.on("drain", done);
        s.on("close", done);
      });
    }
  }

  async fault(): Promise<void> {
    await this.flushed();
    this.socket.destroy();
  }

  /** Graceful close after everything queued was written (Logoff, failed login). */
  async end(): Promise<void> {
    await this.flushed();
    this.socket.end();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    const c = this.chunking!;
    while (this.#queue.length > 0 && !this.socket.destroyed) {
      const buf = this.#queue.shift()!;
      let pos = 0;
      while (pos < buf.length && !this.socket.destroyed) {
        const n = c.min + Math.floor(c.random() * (c.max - c.min + 1));
        this.socket.write(buf.subarray(pos, pos + n));
        pos += n;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    this.#releasePump();
  }

  #releasePump(): void {
    this.#pumping = false;
    const waiters = this.#pumpIdle;
    this.#pumpIdle = [];
    for (const w of waiters) w();
  }
}
