import { EventEmitter } from "node:events";
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect, type ConnectionOptions as TlsConnectionOptions } from "node:tls";
import { ActionIdGenerator } from "./action-id.js";
import { actionFields, validateActionFields, type AmiActionInput } from "./action.js";
import { Backoff, type BackoffOptions } from "./backoff.js";
import { ActionCorrelator } from "./correlator.js";
import { AmiDisconnectedError, AmiLoginError, type AmiDisconnectReason, type AmiParseError } from "./errors.js";
import { EventQueue, type AmiMessageHandler } from "./event-queue.js";
import type { AmiGreeting } from "./greeting.js";
import { Keepalive, type KeepaliveOptions } from "./keepalive.js";
import { silentLogger, type AmiLogger } from "./logger.js";
import { AmiMessage, type AmiField } from "./message.js";
import { AmiParser } from "./parser.js";
import type { AmiActionResult } from "./result.js";
import { serializeFields } from "./serialize.js";

export interface AmiClientOptions {
  host: string;
  port: number;
  /**
   * AMI over TLS (Asterisk's manager.conf `tlsenable=yes`, port 5039 by default): node:tls options
   * (CA, servername, …). Absent: plain TCP.
   */
  tls?: TlsConnectionOptions;
  username: string;
  /** Never logged. */
  secret: string;
  /** `Events` header of the Login. Default "on" (a call tracker needs every call event). */
  events?: "on" | "off" | string;
  /**
   * Server-side event filters, sent as `Action: Filter` / `Operation: Add` after each Login
   * (Asterisk regex syntax; a leading `!` excludes). Cuts traffic on busy PBXes. With filters the
   * Login says `Events: off` and events are switched on (`Action: Events`) once the filters are
   * in place, so no unfiltered burst slips through between Login and Filter.
   */
  eventFilters?: readonly string[];
  /** Default timeout of an action (the whole reply, EventList included). Default 10 000 ms. */
  actionTimeoutMs?: number;
  /** TCP connect + greeting + Login must finish within this. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Ping keepalive (half-open detection). `false` disables. Default every 5 s, Pong within 3 s. */
  keepalive?: KeepaliveOptions | false;
  /** Reconnect backoff. `false`: no reconnect. Default 500 ms doubling to 30 s, ±20 % jitter. */
  reconnect?: BackoffOptions | false;
  /** Queue length at which the socket is paused. Default 1 000. */
  highWaterMark?: number;
  /** Queue length at which a paused socket is resumed. Default highWaterMark / 2. */
  lowWaterMark?: number;
  /** First part of ActionIDs (a random part and a counter are appended). Default "ab24". */
  actionIdPrefix?: string;
  /** pino-compatible logger. Default: silent. */
  logger?: AmiLogger;
  /** Random source for the backoff jitter (tests). */
  random?: () => number;
}

export type AmiClientState = "idle" | "connecting" | "connected" | "waiting" | "closed" | "failed";

export interface AmiConnectedInfo {
  /** False for the first login of this client, true after any reconnect: reconcile state now. */
  reconnect: boolean;
  /** 1 for the first session, then +1 per successful login. */
  session: number;
  greeting: AmiGreeting | undefined;
}

export interface AmiDisconnectedInfo {
  reason: AmiDisconnectReason;
  error?: Error;
  /** A reconnect is scheduled (false after close() or a refused login). */
  willReconnect: boolean;
}

export interface AmiReconnectingInfo {
  /** Retry number since the last successful login (1-based). */
  attempt: number;
  delayMs: number;
  reason: AmiDisconnectReason;
  error?: Error;
}

export interface AmiClientEvents {
  /** Logged in (first time or after a reconnect). */
  connected: [AmiConnectedInfo];
  /** A logged-in session ended. */
  disconnected: [AmiDisconnectedInfo];
  /** A (re)connect attempt is scheduled. */
  reconnecting: [AmiReconnectingInfo];
  /** The socket was paused because the consumer lags (queue at high-water mark). */
  pause: [{ queued: number }];
  /** The socket was resumed. */
  resume: [{ queued: number }];
  /** A malformed block was skipped. */
  parseError: [AmiParseError];
  /** Fatal: the Login was refused (AmiLoginError). Emitted only if someone listens. */
  error: [Error];
}

export interface AmiActionOptions {
  /** Overrides `actionTimeoutMs` for this action. */
  timeoutMs?: number;
  /**
   * Called synchronously with the action exactly as it is written (ActionID included), before
   * any reply can arrive: e.g. to tell the call tracker about an Originate it must correlate.
   */
  onSend?: (action: AmiMessage) => void;
  /**
   * Also hand the reply and every list event of this action to the consumer, in stream order
   * (the result is still aggregated). Use it for CoreShowChannels: the list is a snapshot at one
   * point of the event stream, and the consumer must apply it exactly there.
   */
  deliverToConsumer?: boolean;
}

export interface AmiClientStats {
  state: AmiClientState;
  sessions: number;
  queued: number;
  maxQueued: number;
  delivered: number;
  pending: number;
  pauses: number;
  parseErrors: number;
  bytesIn: number;
}

/**
 * AMI client: one TCP session at a time, Login, action/response correlation with EventList
 * aggregation and timeouts, keepalive, reconnect with backoff, and an ordered, backpressured
 * message stream for ONE consumer.
 *
 * The consumer (see `consume`) receives every message that is not a reply to one of this
 * client's pending actions: all events (including OriginateResponse, which carries the
 * Originate's ActionID) and unsolicited responses, strictly in arrival order.
 */
export class AmiClient extends EventEmitter<AmiClientEvents> {
  readonly options: Readonly<AmiClientOptions>;
  readonly #log: AmiLogger;
  readonly #ids: ActionIdGenerator;
  readonly #correlator = new ActionCorrelator();
  /** Actions whose replies also go to the consumer (deliverToConsumer). */
  readonly #teeIds = new Set<string>();
  readonly #queue: EventQueue;
  readonly #backoff: Backoff | undefined;
  readonly #keepalive: Keepalive | undefined;
  #state: AmiClientState = "idle";
  #socket: Socket | undefined;
  #socketSeq = 0;
  #closeReason: AmiDisconnectReason | undefined;
  #lastError: Error | undefined;
  #loggedIn = false;
  #sessions = 0;
  #greeting: AmiGreeting | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #connectTimer: NodeJS.Timeout | undefined;
  #paused = false;
  #pauses = 0;
  #parseErrors = 0;
  #bytesIn = 0;
  #corked = false;
  #firstConnect: { resolve(info: AmiConnectedInfo): void; reject(err: Error): void; promise: Promise<AmiConnectedInfo> } | undefined;

  constructor(options: AmiClientOptions) {
    super();
    this.options = options;
    this.#log = options.logger ?? silentLogger;
    this.#ids = new ActionIdGenerator(options.actionIdPrefix);
    const hwm = Math.max(1, options.highWaterMark ?? 1000);
    const lwm = Math.min(hwm - 1, options.lowWaterMark ?? Math.floor(hwm / 2));
    this.#queue = new EventQueue({
      highWaterMark: hwm,
      lowWaterMark: Math.max(0, lwm),
      onHigh: () => this.#flow(),
      onLow: () => this.#flow(),
      logger: this.#log,
    });
    this.#correlator.onUserPendingChange = () => this.#flow();
    this.#backoff = options.reconnect === false ? undefined : new Backoff(options.reconnect ?? {}, options.random);
    this.#keepalive =
      options.keepalive === false
        ? undefined
        : new Keepalive(options.keepalive ?? {}, {
            ping: (timeoutMs) => this.#send([["Action", "Ping"]], timeoutMs, true),
            pauseState: () => ({ paused: this.#paused, pauses: this.#pauses }),
            onDead: () => this.#destroySocket("keepalive-timeout"),
            logger: this.#log,
          });
  }

  get state(): AmiClientState {
    return this.#state;
  }

  /** Logged in and able to send actions. */
  get isConnected(): boolean {
    return this.#state === "connected";
  }

  /** The socket is currently paused by backpressure. */
  get isPaused(): boolean {
    return this.#paused;
  }

  /** Greeting of the current/last connection. */
  get greeting(): AmiGreeting | undefined {
    return this.#greeting;
  }

  /** The ActionID prefix of this client (replies with this prefix are never passed to the consumer). */
  get actionIdPrefix(): string {
    return this.#ids.prefix;
  }

  get stats(): AmiClientStats {
    return {
      state: this.#state,
      sessions: this.#sessions,
      queued: this.#queue.length,
      maxQueued: this.#queue.maxLength,
      delivered: this.#queue.delivered,
      pending: this.#correlator.size,
      pauses: this.#pauses,
      parseErrors: this.#parseErrors,
      bytesIn: this.#bytesIn,
    };
  }

  /**
   * Starts the client. Resolves after the first successful Login; keeps retrying network
   * failures with backoff meanwhile. Rejects with AmiLoginError when the Login is refused (no
   * retry), or AmiDisconnectedError if closed first / reconnect is disabled.
   */
  connect(): Promise<AmiConnectedInfo> {
    if (this.#firstConnect) return this.#firstConnect.promise;
    let resolve!: (info: AmiConnectedInfo) => void;
    let reject!: (err: Error) => void;
    const promise = new Promise<AmiConnectedInfo>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.#firstConnect = { resolve, reject, promise };
    if (this.#state === "idle") this.#open();
    return promise;
  }

  /**
   * Registers the one consumer. Messages are delivered in arrival order; the next one only after
   * the handler's promise settles. A handler error is logged and the stream goes on.
   * Messages received before this call are kept (and count for backpressure).
   */
  consume(handler: AmiMessageHandler): void {
    this.#queue.setHandler(handler);
  }

  /** Resolves when the consumer has handled everything queued so far. */
  drained(): Promise<void> {
    return this.#queue.idle();
  }

  /**
   * Sends an action and resolves with its reply (and EventList items). The ActionID is assigned
   * here (`result.actionId`). Rejects with AmiActionValueError before anything is written if a
   * key or value is invalid (CR/LF/NUL), AmiActionTimeoutError, or AmiDisconnectedError.
   * A `Response: Error` resolves with `ok: false`.
   */
  action(input: AmiActionInput, options: AmiActionOptions = {}): Promise<AmiActionResult> {
    let fields: AmiField[];
    try {
      fields = actionFields(input);
      validateActionFields(fields, { allowActionId: false });
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.#state !== "connected") {
      return Promise.reject(new AmiDisconnectedError("not-connected", { action: fields[0]![1] }));
    }
    return this.#send(fields, options.timeoutMs ?? this.options.actionTimeoutMs ?? 10_000, false, options.onSend, options.deliverToConsumer);
  }

  /** Logs off (if logged in), closes the socket and stops reconnecting. Pending actions fail. */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    const wasLoggedIn = this.#loggedIn;
    this.#state = "closed";
    this.#stopTimers();
    this.#firstConnect?.reject(new AmiDisconnectedError("closed"));
    const socket = this.#socket;
    if (!socket) return;
    if (wasLoggedIn) {
      try {
        await this.#send([["Action", "Logoff"]], 1_000, true);
      } catch {
        // closing anyway
      }
    }
    if (this.#socket === socket) {
      this.#closeReason = "closed";
      await new Promise<void>((resolve) => {
        socket.once("close", () => resolve());
        socket.end();
        setTimeout(() => socket.destroy(), 1_000).unref();
      });
    }
  }

  // ---- connection ---------------------------------------------------------------------------

  #open(): void {
    const seq = ++this.#socketSeq;
    this.#state = "connecting";
    this.#closeReason = undefined;
    this.#lastError = undefined;
    this.#loggedIn = false;
    this.#greeting = undefined;
    const { host, port, tls } = this.options;
    this.#log.debug({ host, port, tls: tls !== undefined }, "AMI connecting");
    const socket: Socket = tls ? tlsConnect({ ...tls, host, port }) : netConnect({ host, port });
    this.#socket = socket;
    this.#paused = false;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    this.#connectTimer = setTimeout(() => this.#destroySocket("connect-timeout"), this.options.connectTimeoutMs ?? 10_000);
    this.#connectTimer.unref?.();

    const parser = new AmiParser({
      onGreeting: (greeting) => {
        this.#greeting = greeting;
        void this.#login(seq);
      },
      onMessage: (message) => this.#onMessage(message),
      onError: (error) => {
        this.#parseErrors++;
        this.#log.warn({ reason: error.reason, raw: error.raw.slice(0, 200) }, "AMI: malformed block skipped");
        if (this.listenerCount("parseError") > 0) this.emit("parseError", error);
      },
    });
    socket.on("data", (chunk: Buffer) => {
      this.#bytesIn += chunk.length;
      parser.push(chunk);
    });
    socket.on("error", (err) => {
      this.#lastError = err;
    });
    socket.on("close", () => {
      parser.end();
      this.#onSocketClose(seq);
    });
    this.#flow();
  }

  async #login(seq: number): Promise<void> {
    const o = this.options;
    const fields: AmiField[] = [
      ["Action", "Login"],
      ["Username", o.username],
      ["Secret", o.secret],
      // With filters, events stay off until the filters are in place (no unfiltered burst).
      ["Events", o.eventFilters?.length ? "off" : (o.events ?? "on")],
    ];
    let result: AmiActionResult;
    try {
      validateActionFields(fields);
      result = await this.#send(fields, o.connectTimeoutMs ?? 10_000, true);
    } catch (err) {
      if (seq !== this.#socketSeq) return;
      if (err instanceof AmiDisconnectedError) return; // close path handles it
      this.#lastError = err as Error;
      this.#destroySocket(err instanceof AmiLoginError ? "login-failed" : "connect-timeout");
      return;
    }
    if (seq !== this.#socketSeq || this.#state !== "connecting") return;
    if (!result.ok) {
      const error = new AmiLoginError(o.username, result.response.get("Message"));
      this.#log.error({ username: o.username, serverMessage: error.serverMessage }, "AMI login refused; not retrying");
      this.#state = "failed";
      this.#stopTimers();
      this.#lastError = error;
      this.#destroySocket("login-failed");
      this.#firstConnect?.reject(error);
      if (this.listenerCount("error") > 0) this.emit("error", error);
      return;
    }
    for (const filter of o.eventFilters ?? []) {
      try {
        const r = await this.#send(
          [
            ["Action", "Filter"],
            ["Operation", "Add"],
            ["Filter", filter],
          ],
          o.connectTimeoutMs ?? 10_000,
          true,
        );
        if (!r.ok) this.#log.warn({ filter, message: r.response.get("Message") }, "AMI event filter refused");
      } catch (err) {
        if (seq === this.#socketSeq) this.#log.warn({ err, filter }, "AMI event filter failed");
        return;
      }
    }
    if (o.eventFilters?.length && (o.events ?? "on") !== "off") {
      try {
        await this.#send(
          [
            ["Action", "Events"],
            ["EventMask", o.events ?? "on"],
          ],
          o.connectTimeoutMs ?? 10_000,
          true,
        );
      } catch (err) {
        if (seq === this.#socketSeq) this.#log.warn({ err }, "AMI: enabling events failed");
        return;
      }
    }
    if (seq !== this.#socketSeq || this.#state !== "connecting") return;
    if (this.#connectTimer) clearTimeout(this.#connectTimer);
    this.#state = "connected";
    this.#loggedIn = true;
    this.#sessions++;
    this.#backoff?.reset();
    this.#keepalive?.start();
    const info: AmiConnectedInfo = { reconnect: this.#sessions > 1, session: this.#sessions, greeting: this.#greeting };
    this.#log.info({ host: o.host, port: o.port, username: o.username, reconnect: info.reconnect, session: info.session }, "AMI connected");
    this.emit("connected", info);
    if (this.#sessions === 1) this.#firstConnect?.resolve(info);
  }

  #destroySocket(reason: AmiDisconnectReason): void {
    const socket = this.#socket;
    if (!socket || socket.destroyed) return;
    this.#closeReason ??= reason;
    socket.destroy();
  }

  #onSocketClose(seq: number): void {
    if (seq !== this.#socketSeq) return;
    const reason: AmiDisconnectReason = this.#closeReason ?? (this.#lastError ? "socket-error" : "socket-closed");
    const error = this.#lastError;
    const wasLoggedIn = this.#loggedIn;
    this.#socket = undefined;
    this.#loggedIn = false;
    this.#paused = false;
    this.#keepalive?.stop();
    if (this.#connectTimer) clearTimeout(this.#connectTimer);
    this.#correlator.failAll((action, actionId) => new AmiDisconnectedError(reason, { cause: error, action, actionId }));

    const stopped = this.#state === "closed" || this.#state === "failed";
    const willReconnect = !stopped && this.#backoff !== undefined;
    if (wasLoggedIn) {
      const info: AmiDisconnectedInfo = { reason, willReconnect };
      if (error) info.error = error;
      this.#log.warn({ reason, err: error?.message, willReconnect }, "AMI disconnected");
      this.emit("disconnected", info);
    }
    if (stopped) return;
    if (!this.#backoff) {
      this.#state = "closed";
      this.#firstConnect?.reject(new AmiDisconnectedError(reason, { cause: error }));
      return;
    }
    const delayMs = this.#backoff.next();
    this.#state = "waiting";
    const info: AmiReconnectingInfo = { attempt: this.#backoff.attempt, delayMs, reason };
    if (error) info.error = error;
    this.#log.info({ attempt: info.attempt, delayMs, reason, err: error?.message }, "AMI reconnect scheduled");
    this.emit("reconnecting", info);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#state === "waiting") this.#open();
    }, delayMs);
  }

  #stopTimers(): void {
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    if (this.#connectTimer) clearTimeout(this.#connectTimer);
    this.#reconnectTimer = undefined;
    this.#keepalive?.stop();
  }

  // ---- actions ------------------------------------------------------------------------------

  /** Fields are already validated. Inserts the ActionID after `Action` and writes. */
  #send(fields: AmiField[], timeoutMs: number, internal: boolean, onSend?: (action: AmiMessage) => void, tee = false): Promise<AmiActionResult> {
    const socket = this.#socket;
    const action = fields[0]![1];
    if (!socket || socket.destroyed) return Promise.reject(new AmiDisconnectedError("not-connected", { action }));
    const actionId = this.#ids.next();
    const wire = [fields[0]!, ["ActionID", actionId] as const, ...fields.slice(1)];
    let promise = this.#correlator.register(action, actionId, timeoutMs, internal);
    if (tee) {
      this.#teeIds.add(actionId);
      promise = promise.finally(() => this.#teeIds.delete(actionId));
    }
    this.#log.debug({ action, actionId }, "AMI action");
    onSend?.(new AmiMessage(wire));
    if (!this.#corked) {
      this.#corked = true;
      socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        socket.uncork();
      });
    }
    socket.write(serializeFields(wire));
    return promise;
  }

  #onMessage(message: AmiMessage): void {
    const tee = this.#teeIds.size > 0 && message.actionId !== undefined && this.#teeIds.has(message.actionId);
    if (this.#correlator.handle(message)) {
      if (tee) this.#queue.push(message);
      return;
    }
    if (message.event === undefined && this.#ids.owns(message.actionId)) {
      this.#log.debug({ actionId: message.actionId, response: message.response }, "AMI late reply dropped");
      return;
    }
    this.#queue.push(message);
  }

  // ---- backpressure -------------------------------------------------------------------------

  /**
   * Pauses the socket while the consumer queue is above the high-water mark, resumes it when
   * drained to the low-water mark. Exception: while an action of the user is waiting for its
   * reply the socket keeps reading (the reply may sit behind queued events, and a consumer that
   * awaits an action inside its handler would otherwise deadlock). Nothing is ever dropped.
   */
  #flow(): void {
    const socket = this.#socket;
    if (!socket) return;
    const shouldPause = this.#queue.isHigh && this.#correlator.userPending === 0;
    if (shouldPause && !this.#paused) {
      this.#paused = true;
      this.#pauses++;
      socket.pause();
      this.#log.debug({ queued: this.#queue.length }, "AMI socket paused (consumer lags)");
      this.emit("pause", { queued: this.#queue.length });
    } else if (!shouldPause && this.#paused) {
      this.#paused = false;
      socket.resume();
      this.#log.debug({ queued: this.#queue.length }, "AMI socket resumed");
      this.emit("resume", { queued: this.#queue.length });
    }
  }
}
