/**
 * The PBX (AMI replay) and the portal (Bitrix24 emulator) in a process of their own
 * (scale-peer.ts), so a bench's own memory is the connector's; and the connector's configuration
 * against them.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { RECORDED_MONITOR_DIR, RECORDED_VOICEMAIL_DIR, SERVICES } from "@asterisk-b24/testkit";
import { parseConfig, type ConnectorConfig, type ConnectorConfigInput } from "../src/config/index.js";
import type { PeerOptions, PeerReady, PeerStats } from "./scale-peer.js";

export interface PeerProcess {
  ready: PeerReady;
  /** The peer's counters (it answers one line per "stats" request). */
  stats(): Promise<PeerStats>;
  /** Ends the peer (it exits when its stdin closes). */
  end(): void;
}

export async function startPeerProcess(options: PeerOptions, label: string): Promise<PeerProcess> {
  const peer = spawn(process.execPath, ["--import", "tsx", new URL("./scale-peer.ts", import.meta.url).pathname, JSON.stringify(options)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: peer.stdout! })[Symbol.asyncIterator]();
  const line = async <T>(): Promise<T> => {
    const next = await lines.next();
    if (next.done) throw new Error(`${label}: the PBX/portal process ended`);
    return JSON.parse(next.value) as T;
  };
  const ready = await line<PeerReady>();
  return {
    ready,
    stats() {
      peer.stdin!.write("stats\n");
      return line<PeerStats>();
    },
    end: () => void peer.stdin!.end(),
  };
}

/** The connector's configuration against the peer: webhook auth, the peer's recordings mounted. */
export function peerConnectorConfig(ready: PeerReady, prefix: string, limits: { burst: number; drainPerSec: number }, label: string): ConnectorConfig {
  const input = {
    ami: { host: "127.0.0.1", port: ready.amiPort, username: "crm", secret: "secret", pingIntervalMs: 5000, reconnect: { initialDelayMs: 100, maxDelayMs: 2000 } },
    b24: { auth: { mode: "webhook", webhookUrl: ready.webhookUrl }, batchWindowMs: 10, lanes: 4, limits },
    redis: { url: SERVICES.redis.url, prefix },
    product: { cardMode: "ringing", lines: { "74951234567": "Main line" } },
    recordings: {
      monitorDir: RECORDED_MONITOR_DIR,
      mounts: [
        { pbx: RECORDED_MONITOR_DIR, local: ready.monitorDir },
        { pbx: RECORDED_VOICEMAIL_DIR, local: ready.voicemailDir },
      ],
      waitTimeoutMs: 5000,
    },
  } as ConnectorConfigInput;
  return parseConfig(input, label, {});
}
