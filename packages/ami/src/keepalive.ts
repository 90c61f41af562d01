import { AmiActionTimeoutError } from "./errors.js";
import type { AmiLogger } from "./logger.js";

export interface KeepaliveOptions {
  /** Ping every N ms. Default 5 000. */
  intervalMs?: number;
  /** Pong deadline. Default 3 000. */
  timeoutMs?: number;
}

export interface KeepaliveHooks {
  /** Sends a Ping; rejects with AmiActionTimeoutError after `timeoutMs`. */
  ping(timeoutMs: number): Promise<unknown>;
  /**
   * How many times the socket was paused by backpressure so far, and whether it is paused now.
   * A paused socket can't read the Pong, so a missed deadline then says nothing about the peer.
   */
  pauseState(): { paused: boolean; pauses: number };
  /** The connection is considered dead (half-open): destroy it. */
  onDead(): void;
  logger: AmiLogger;
}

/**
 * Half-open detection. A TCP connection whose peer vanished (PBX rebooted, NAT entry expired,
 * cable pulled) can stay "open" for hours: no error, just no events. Sending a Ping every
 * `intervalMs` and requiring the Pong within `timeoutMs` turns that into a reconnect.
 */
export class Keepalive {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  #timer: NodeJS.Timeout | undefined;
  #inFlight = false;
  #running = false;

  constructor(
    options: KeepaliveOptions,
    private readonly hooks: KeepaliveHooks,
  ) {
    this.intervalMs = options.intervalMs ?? 5_000;
    this.timeoutMs = options.timeoutMs ?? 3_000;
  }

  start(): void {
    this.stop();
    this.#running = true;
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => void this.#tick(), this.intervalMs);
    this.#timer.unref?.();
  }

  async #tick(): Promise<void> {
    if (!this.#running || this.#inFlight) return;
    this.#inFlight = true;
    const before = this.hooks.pauseState();
    try {
      await this.hooks.ping(this.timeoutMs);
    } catch (err) {
      if (!this.#running) return;
      if (err instanceof AmiActionTimeoutError) {
        const now = this.hooks.pauseState();
        if (before.paused || now.paused || now.pauses !== before.pauses) {
          this.hooks.logger.debug({ timeoutMs: this.timeoutMs }, "AMI keepalive: no Pong while paused by backpressure; not counted");
        } else {
          this.hooks.logger.warn({ timeoutMs: this.timeoutMs }, "AMI keepalive: no Pong in time, connection considered dead");
          this.#running = false;
          this.hooks.onDead();
          return;
        }
      }
      // other errors (disconnect) are handled by the client's close path
    } finally {
      this.#inFlight = false;
    }
    this.#schedule();
  }
}
