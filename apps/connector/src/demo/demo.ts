import { recordingNames } from "@asterisk-b24/testkit";
import { replayThroughTracker } from "./replay-tracker.js";

export interface DemoOptions {
  speed: number | "asap";
  once: boolean;
}

/** The demo: every recording replayed over TCP into the AMI client and the tracker. */
export async function runDemo(options: DemoOptions): Promise<number> {
  const names = recordingNames();
  process.stderr.write(`demo: replaying ${names.length} recordings of a real Asterisk at ${options.speed}× through the AMI client and the call tracker\n`);
  const res = await replayThroughTracker({ recordings: names, speed: options.speed });
  process.stderr.write(`demo: ${res.calls.length} calls ended, ${res.events.length} stage events\n`);
  return 0;
}
