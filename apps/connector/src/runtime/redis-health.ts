import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { ComponentStatus } from "../http/status.js";

/** How often the same Redis error is logged again while it lasts. */
const REPEAT_LOG_MS = 60_000;

/**
 * The connector's view of its Redis: ready or not, the last error, and one log line per problem
 * (not one per reconnect attempt). Everything durable lives in Redis, so the connector waits for
 * it before it takes AMI events; meanwhile /status answers Error naming `redis.url`.
 */
export class RedisHealth {
  #lastError: string | undefined;
  #lastLoggedAt = 0;
  #lastLogged: string | undefined;
  #downSince: number | undefined;

  constructor(
    readonly redis: Redis,
    readonly url: string,
    readonly log: Logger,
  ) {
    redis.on("error", (err: Error) => this.#onError(err));
    redis.on("ready", () => {
      if (this.#downSince !== undefined) log.info({ url: redactUrl(url), downMs: Date.now() - this.#downSince }, "redis reachable again");
      this.#downSince = undefined;
      this.#lastError = undefined;
      this.#lastLogged = undefined;
    });
  }

  get ready(): boolean {
    return this.redis.status === "ready";
  }

  #onError(err: Error): void {
    const text = err.message || err.name;
    this.#lastError = text;
    this.#downSince ??= Date.now();
    const now = Date.now();
    if (text === this.#lastLogged && now - this.#lastLoggedAt < REPEAT_LOG_MS) return;
    this.#lastLogged = text;
    this.#lastLoggedAt = now;
    this.log.warn({ url: redactUrl(this.url), err: text }, `Redis unreachable at redis.url ${redactUrl(this.url)}; retrying`);
  }

  /** Resolves once Redis answers; rejects with the signal's reason if stopped first. */
  async waitReady(signal: AbortSignal): Promise<void> {
    if (this.ready) return;
    signal.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        this.redis.off("ready", done);
        signal.removeEventListener("abort", aborted);
        resolve();
      };
      const aborted = () => {
        this.redis.off("ready", done);
        reject(signal.reason instanceof Error ? signal.reason : new Error("stopped"));
      };
      this.redis.on("ready", done);
      signal.addEventListener("abort", aborted, { once: true });
    });
  }

  /** A status provider that reads Redis answers at once while Redis is down (instead of waiting for it). */
  guard(provider: () => ComponentStatus | Promise<ComponentStatus>): () => ComponentStatus | Promise<ComponentStatus> {
    return () => (this.ready ? provider() : { health: "Error", problems: ["unknown while Redis is unreachable"] });
  }

  status(): ComponentStatus {
    if (this.ready) return { health: "Ok", url: redactUrl(this.url), connected: true };
    const why = this.#lastError ? `: ${this.#lastError}` : "";
    return {
      health: "Error",
      problems: [
        `Redis unreachable at redis.url ${redactUrl(this.url)}${why} (calls are not tracked until it answers; check that Redis runs and redis.url / ASTERISK_B24_REDIS_URL)`,
      ],
      url: redactUrl(this.url),
      connected: false,
      state: this.redis.status,
    };
  }
}

/** redis://user:secret@host:6379/0 → redis://user:***@host:6379/0 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}
