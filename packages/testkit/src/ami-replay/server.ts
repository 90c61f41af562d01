import { createServer, type Server, type Socket } from "node:net";
import { AmiMessage, maskSecrets, silentLogger, type AmiLogger } from "@asterisk-b24/ami";
import { loadRecording, type Recording } from "../recordings/index.js";
import { ChannelTracker } from "./channels.js";
import { buildPlaylist, type AmiReplayStartMode } from "./playlist.js";
import { ReplayPlayer, type AmiReplayDrop } from "./player.js";
import { seededRandom } from "../util/random.js";
import { commandReply, DEFAULT_COMMAND_OUTPUTS, errorReply, originateResponse, pong, response, type CommandFormat } from "./replies.js";
import { ReplaySession, type ChunkingOptions } from "./session.js";

export interface AmiReplayServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Accepted Login. Defaults "crm" / "secret". */
  username?: string;
  secret?: string;
  /** Recordings to serve one after another (names from fixtures/asterisk, or loaded). Default none. */
  recordings?: readonly (string | Recording)[];
  /** Recorded pace × speed (2 = twice as fast), or "asap". Default "asap". */
  speed?: number | "asap";
  /** Start again from the first recording after the last. Default false. */
  loop?: boolean;
  /** Pause between two passes of a looping playlist (ms). Default 0. */
  gapMs?: number;
  /**
   * Looping: shift Uniqueid/Linkedid values (`<epoch>.<n>`) by pass × 1,000,000 s so each pass
   * looks like new calls (the demo). Default false (every pass is byte-identical).
   */
  freshIdsPerPass?: boolean;
  /**
   * Add `Timestamp` headers (Asterisk's `timestampevents = yes`) carrying the recorded time:
   * `true` = clock 0 is when the server started, or an epoch in ms. Default off.
   */
  timestampEvents?: boolean | number;
  /**
   * "onConnect" (default): the stream flows once a client is logged in. "onOriginate": recordings
   * that contain a recorded Originate stop at it and continue when a live Originate arrives; the
   * recorded ActionID in their Originate reply / OriginateResponse becomes the live one.
   */
  startMode?: AmiReplayStartMode;
  /**
   * Start the stream this far (ms of recorded time) into the playlist, as a connector started
   * while calls are up: earlier messages are never sent, but CoreShowChannels / Getvar tell what
   * they did. Default 0.
   */
  startAtMs?: number;
  /** Fault injection: drop the connection at playlist message N, optionally losing K messages. */
  drop?: AmiReplayDrop;
  /** Write everything in random small chunks (framing tests). `true` = 1..16 bytes, seed 1. */
  chunking?: boolean | ChunkingOptions;
  /** Answer Ping (default true). Switch at runtime with `setAnswerPing`. */
  answerPing?: boolean;
  /** Actions that get no reply at all (timeout tests). Case-insensitive. */
  silentActions?: readonly string[];
  /** Command reply format: "modern" (Asterisk 14+, default) or "legacy" (<= 13). */
  commandFormat?: CommandFormat;
  /** Output per command line (exact match, case-insensitive); merged over a few defaults. */
  commandOutputs?: Readonly<Record<string, string>>;
  /** Delay before the synthetic OriginateResponse (ms). Default 10. */
  originateResponseDelayMs?: number;
  /** Greeting line. Default "Asterisk Call Manager/11.0.0" (Asterisk 22). */
  greeting?: string;
  /** pino-compatible logger: every action received is logged (Secret masked). */
  logger?: AmiLogger;
}

export interface AmiReplayServer {
  readonly host: string;
  readonly port: number;
  /** Every action received, in order, across all connections (Secret masked). */
  readonly actions: AmiMessage[];
  /** Resolves when the playlist has been fully played (never, when looping). */
  readonly done: Promise<void>;
  /** Playlist index of the next message to play. */
  readonly position: number;
  /** Messages of the playlist written to clients so far. */
  readonly sent: number;
  /** Open client connections. */
  readonly connections: number;
  /** Successful logins so far. */
  readonly logins: number;
  /** Channels alive at the current point of the replay (what CoreShowChannels lists). */
  liveChannels(): AmiMessage[];
  setAnswerPing(answer: boolean): void;
  /** The click-to-call recording that waits for a live Originate now (startMode "onOriginate"). */
  waitingForOriginate(): Recording | undefined;
  /** Destroys every client socket now, without Goodbye (a fault). */
  dropConnections(): void;
  close(): Promise<void>;
}

/** Starts a fake Asterisk AMI over real TCP that replays recordings of a real Asterisk 22. */
export async function startAmiReplayServer(options: AmiReplayServerOptions = {}): Promise<AmiReplayServer> {
  const host = options.host ?? "127.0.0.1";
  const username = options.username ?? "crm";
  const secret = options.secret ?? "secret";
  const logger = options.logger ?? silentLogger;
  const silent = new Set((options.silentActions ?? []).map((a) => a.toLowerCase()));
  const commandOutputs = new Map(Object.entries({ ...DEFAULT_COMMAND_OUTPUTS, ...options.commandOutputs }).map(([k, v]) => [k.toLowerCase(), v]));
  const commandFormat = options.commandFormat ?? "modern";
  const chunkOpts = options.chunking === true ? {} : options.chunking || undefined;
  const recordings = (options.recordings ?? []).map((r) => (typeof r === "string" ? loadRecording(r) : r));
  const channels = new ChannelTracker();
  const player = new ReplayPlayer(buildPlaylist(recordings, options.startMode ?? "onConnect"), {
    speed: options.speed ?? "asap",
    loop: options.loop ?? false,
    gapMs: options.gapMs ?? 0,
    freshIdsPerPass: options.freshIdsPerPass ?? false,
    timestampBaseMs: options.timestampEvents === true ? Date.now() : typeof options.timestampEvents === "number" ? options.timestampEvents : undefined,
    ...(options.startAtMs !== undefined ? { startAtMs: options.startAtMs } : {}),
    drop: options.drop,
    channels,
    logger,
  });
  let answerPing = options.answerPing ?? true;
  let logins = 0;
  let nextSessionId = 1;
  const actions: AmiMessage[] = [];
  const sessions = new Set<ReplaySession>();
  const timers = new Set<NodeJS.Timeout>();

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const onAction = (session: ReplaySession, action: AmiMessage) => {
    const masked = new AmiMessage(maskSecrets(action.fields));
    actions.push(masked);
    logger.info({ session: session.id, action: masked.toObject() }, "AMI replay: action received");
    const name = (action.get("Action") ?? "").toLowerCase();
    const id = action.actionId;
    if (name === "") return session.write(errorReply(id, "Missing action in request"));
    if (silent.has(name)) return;

    if (!session.loggedIn && name !== "login" && name !== "logoff" && name !== "challenge") {
      return session.write(errorReply(id, "Permission denied"));
    }
    switch (name) {
      case "login": {
        if (action.get("Username") !== username || action.get("Secret") !== secret) {
          logger.warn({ session: session.id, username: action.get("Username") }, "AMI replay: authentication failed");
          session.write(errorReply(id, "Authentication failed"));
          void session.end(); // Asterisk closes the session after a failed login
          return;
        }
        session.loggedIn = true;
        session.eventsOn = (action.get("Events") ?? "on").toLowerCase() !== "off";
        logins++;
        session.write(response("Success", id, ["Message", "Authentication accepted"]));
        if (session.eventsOn) player.attach(session);
        return;
      }
      case "ping":
        // Timestamp = the PBX's clock: the recorded time of the point the replay is at.
        if (answerPing) session.write(pong(id, player.pbxNow));
        return;
      case "events": {
        const mask = (action.get("EventMask") ?? "on").toLowerCase();
        session.eventsOn = mask !== "off";
        session.write(response("Success", id, ["Events", session.eventsOn ? "On" : "Off"]));
        if (session.eventsOn) player.attach(session);
        else player.detach(session);
        return;
      }
      case "filter": {
        const op = (action.get("Operation") ?? "Add").toLowerCase();
        const filter = action.get("Filter");
        if (op !== "add" || filter === undefined || !session.filter.add(filter)) {
          return session.write(errorReply(id, "Filter Not Added"));
        }
        return session.write(response("Success", id, ["Message", "Filter Added Successfully"]));
      }
      case "coreshowchannels": {
        const live = channels.live();
        session.write(response("Success", id, ["EventList", "start"], ["Message", "Channels will follow"]));
        for (const ch of live) session.write(ChannelTracker.coreShowChannel(ch, player.clock, id));
        const complete: [string, string][] = [["Event", "CoreShowChannelsComplete"]];
        if (id !== undefined) complete.push(["ActionID", id]);
        complete.push(["EventList", "Complete"], ["ListItems", String(live.length)]);
        session.write(complete);
        player.coreShowChannelsAnswered();
        return;
      }
      case "getvar": {
        // Asterisk 22 manager.c action_getvar: channel variables (and functions) at this point of the replay.
        const variable = action.get("Variable");
        if (!variable) return session.write(errorReply(id, "No variable specified"));
        const channelName = action.get("Channel");
        let value = "";
        if (channelName) {
          const ch = channels.byName(channelName);
          if (!ch) return session.write(errorReply(id, "No such channel"));
          value = ChannelTracker.getvar(ch, variable, (clock) => player.epochOf(clock));
        }
        return session.write(response("Success", id, ["Variable", variable], ["Value", value]));
      }
      case "command": {
        const command = (action.get("Command") ?? "").trim();
        const out = commandOutputs.get(command.toLowerCase());
        const text = out ?? `No such command '${command}' (type 'core show help ${command.split(" ")[0] ?? ""}' for other possible commands)`;
        return session.write(commandReply(commandFormat, id, text, out !== undefined));
      }
      case "originate": {
        const vars = new Map<string, string>();
        for (const v of action.getAll("Variable")) {
          for (const part of v.split(",")) {
            const eq = part.indexOf("=");
            if (eq > 0) vars.set(part.slice(0, eq).replace(/^_+/, ""), part.slice(eq + 1));
          }
        }
        if (player.claimOriginate(id, vars)) return; // the recording's own reply (with this ActionID) will follow
        session.write(response("Success", id, ["Message", "Originate successfully queued"]));
        later(options.originateResponseDelayMs ?? 10, () => session.sendEvent(new AmiMessage(originateResponse(action, id))));
        return;
      }
      case "logoff":
        session.write(response("Goodbye", id, ["Message", "Thanks for all the fish."]));
        void session.end();
        return;
      default:
        return session.write(errorReply(id, "Invalid/unknown command"));
    }
  };

  const server: Server = createServer((socket: Socket) => {
    const session = new ReplaySession(
      nextSessionId++,
      socket,
      onAction,
      (s) => {
        sessions.delete(s);
        player.detach(s);
        logger.debug({ session: s.id }, "AMI replay: connection closed");
      },
      chunkOpts
        ? { min: Math.max(1, chunkOpts.minBytes ?? 1), max: Math.max(chunkOpts.minBytes ?? 1, chunkOpts.maxBytes ?? 16), random: seededRandom(chunkOpts.seed ?? 1) }
        : undefined,
      logger,
    );
    sessions.add(session);
    logger.debug({ session: session.id, remote: socket.remotePort }, "AMI replay: connection");
    session.write((options.greeting ?? "Asterisk Call Manager/11.0.0") + "\r\n");
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  logger.info({ host, port, recordings: recordings.map((r) => r.name) }, "AMI replay server listening");

  return {
    host,
    port,
    actions,
    done: player.done,
    get position() {
      return player.position;
    },
    get sent() {
      return player.sent;
    },
    get connections() {
      return sessions.size;
    },
    get logins() {
      return logins;
    },
    liveChannels: () => channels.live().map((ch) => new AmiMessage(ChannelTracker.coreShowChannel(ch, player.clock, undefined))),
    setAnswerPing(answer: boolean) {
      answerPing = answer;
    },
    waitingForOriginate() {
      const rec = player.waitingForOriginate;
      return rec === undefined ? undefined : recordings[rec];
    },
    dropConnections() {
      for (const s of sessions) s.socket.destroy();
    },
    async close() {
      player.stop();
      for (const t of timers) clearTimeout(t);
      for (const s of sessions) s.socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
