import { AmiClient, AmiMessage } from "@asterisk-b24/ami";
import { startAmiReplayServer, type Recording } from "@asterisk-b24/testkit";
import type { Logger } from "pino";
import { TrackerEngine } from "../runtime/tracker-engine.js";
import type { CallFull, StageEvent, TrackerConfig } from "../tracker/index.js";
import { formatStage, summarizeCall } from "./format.js";

export interface ReplayTrackerOptions {
  recordings: readonly (string | Recording)[];
  /** Recorded pace × speed, or "asap". */
  speed: number | "asap";
  /** Print the whole call_full of each finished call (else a summary). */
  fullJson?: boolean;
  tracker?: Partial<TrackerConfig>;
  write?: (line: string) => void;
  /** Epoch ms of the recordings' time 0 in the Timestamp headers (default: now). */
  timestampBase?: number;
  logger?: Logger;
}

export interface ReplayTrackerResult {
  events: StageEvent[];
  calls: CallFull[];
}

/**
 * Replays recordings through the AMI replay server (real TCP) into the connector's AMI client
 * and call tracker, printing every stage and the final call_full of each call. This is the
 * `replay` command and the first half of the demo.
 */
export async function replayThroughTracker(options: ReplayTrackerOptions): Promise<ReplayTrackerResult> {
  const write = options.write ?? ((line: string) => process.stdout.write(line + "\n"));
  const server = await startAmiReplayServer({ recordings: options.recordings, speed: options.speed, timestampEvents: options.timestampBase ?? true });
  const events: StageEvent[] = [];
  const calls: CallFull[] = [];
  let t0: number | undefined;
  const engine = new TrackerEngine({
    config: options.tracker ?? {},
    ...(options.logger ? { logger: options.logger } : {}),
    onStage: (ev) => {
      t0 ??= ev.call.started_at || ev.at;
      events.push(ev);
      write(formatStage(ev, t0));
      if (ev.stage === "call_ended") {
        calls.push(ev.call);
        write(JSON.stringify(options.fullJson ? ev.call : summarizeCall(ev.call), null, options.fullJson ? 2 : undefined));
      }
    },
  });
  const client = new AmiClient({ host: server.host, port: server.port, username: "crm", secret: "secret", keepalive: false, reconnect: false });
  client.consume(async (message: AmiMessage) => {
    await engine.handle(message);
  });
  try {
    await client.connect();
    await server.done;
    // The server has written everything; wait until the client has read and handled it.
    const expected = server.sent;
    while (client.stats.delivered < expected) await new Promise((r) => setTimeout(r, 5));
    await client.drained();
  } finally {
    await client.close();
    await server.close();
  }
  return { events, calls };
}
