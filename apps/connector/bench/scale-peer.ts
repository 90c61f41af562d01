/**
 * The other side of the scale bench, in its own process so that the connector's process holds
 * only the connector: the AMI replay server playing a mix of real recordings (the PBX, which
 * also writes the recording files) and the Bitrix24 emulator (the portal).
 *
 * Started by scale.bench.ts with one JSON argument (PeerOptions). Prints one JSON line when
 * listening (PeerReady), then answers each "stats" line on stdin with one JSON line (PeerStats);
 * exits when stdin closes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { DEMO_USERS, loadRecording, mixRecordings, startAmiReplayServer, startB24Emulator, writeRecordingFiles, type ReplicaPart } from "@asterisk-b24/testkit";
import { SOAK_CLIENTS, soakContacts } from "../test/soak/soak.js";
import { clientReplacement } from "../test/soak/soak-plan.js";

export interface PeerOptions {
  /** Recordings to mix, each call replays one of them in turn. */
  flows: string[];
  calls: number;
  /** Calls start evenly over this many recorded ms. */
  spreadMs: number;
  /** Recorded pace × speed, or as fast as the connector reads. */
  speed: number | "asap";
  /** Play the mix again and again (fresh call ids each pass) until stdin closes. */
  loop?: boolean;
  limits: { burst: number; drainPerSec: number } | false;
}

export interface PeerReady {
  amiPort: number;
  webhookUrl: string;
  monitorDir: string;
  voicemailDir: string;
  /** Length of the longest replayed call, real ms. */
  lengthMs: number;
}

export interface PeerStats {
  pbxDone: boolean;
  callsRegistered: number;
  callsFinished: number;
  limitErrors: number;
  requests: number;
  rssMb: number;
}

const o = JSON.parse(process.argv[2] ?? "{}") as PeerOptions;
const flows = o.flows.map((n) => loadRecording(n));
const parts: ReplicaPart[] = Array.from({ length: o.calls }, (_, i) => ({
  recording: flows[i % flows.length]!,
  atMs: Math.round((i * o.spreadMs) / Math.max(1, o.calls)),
  replace: clientReplacement(SOAK_CLIENTS[i % SOAK_CLIENTS.length]!),
}));
const mix = mixRecordings(parts, `scale-${o.calls}`);
const monitorDir = mkdtempSync(join(tmpdir(), "ab24-scale-"));
const voicemailDir = join(monitorDir, ".voicemail");
writeRecordingFiles(mix.recording, monitorDir);
const emu = await startB24Emulator({
  webhook: { userId: 1, code: "scale0webhook0code" },
  users: DEMO_USERS,
  contacts: soakContacts(),
  limits: o.limits,
});
const pbx = await startAmiReplayServer({
  recordings: [mix.recording],
  speed: o.speed,
  loop: o.loop ?? false,
  freshIdsPerPass: o.loop ?? false,
  gapMs: 0,
  timestampEvents: true,
  startMode: "onConnect",
});
let pbxDone = false;
void pbx.done.then(() => (pbxDone = true));
const ready: PeerReady = {
  amiPort: pbx.port,
  webhookUrl: emu.webhookUrl,
  monitorDir,
  voicemailDir,
  lengthMs: Math.max(...mix.replicas.map((r) => r.atMs + r.lengthMs)) / (o.speed === "asap" ? Infinity : o.speed),
};
process.stdout.write(JSON.stringify(ready) + "\n");

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line.trim() !== "stats") return;
  const calls = emu.calls().filter((c) => c.registeredBy !== "portal");
  const s = emu.stats();
  const stats: PeerStats = {
    pbxDone,
    callsRegistered: calls.length,
    callsFinished: calls.filter((c) => c.finish !== undefined).length,
    limitErrors: s.limitErrors,
    requests: s.requests,
    rssMb: process.memoryUsage().rss / 2 ** 20,
  };
  process.stdout.write(JSON.stringify(stats) + "\n");
});
lines.on("close", () => {
  void (async () => {
    await pbx.close();
    await emu.close();
    rmSync(monitorDir, { recursive: true, force: true });
    process.exit(0);
  })();
});
