/**
 * ami.parse.events_per_s: parse throughput of real recorded Asterisk 22 bytes.
 * Every recording's .ami bytes (greeting stripped) are repeated into one large buffer (~64 MiB),
 * fed to one AmiParser in 64 KiB chunks on one core; messages per second of wall time.
 */
import { AmiParser } from "../src/index.js";
// relative import: testkit depends on ami, so ami cannot depend on testkit by name
import { loadRecording, note, printFigure, recordingNames } from "../../testkit/src/index.js";

const parts: Buffer[] = [];
let messagesPerCopy = 0;
for (const name of recordingNames()) {
  const rec = loadRecording(name);
  const nl = rec.raw.indexOf("\n");
  parts.push(rec.raw.subarray(nl + 1));
  messagesPerCopy += rec.messages.length;
}
const copy = Buffer.concat(parts);
const copies = Math.max(1, Math.round((64 * 1024 * 1024) / copy.length));
const big = Buffer.concat(Array.from({ length: copies }, () => copy));
const CHUNK = 64 * 1024;

function run(): { messages: number; ms: number } {
  let messages = 0;
  const parser = new AmiParser(
    {
      onMessage: () => void messages++,
      onError: (e) => {
        throw e;
      },
    },
    { expectGreeting: false },
  );
  const start = process.hrtime.bigint();
  for (let pos = 0; pos < big.length; pos += CHUNK) parser.push(big.subarray(pos, pos + CHUNK));
  parser.end();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { messages, ms };
}

run(); // warm-up
const results = [run(), run(), run()];
const best = results.reduce((a, b) => (b.ms < a.ms ? b : a));
if (best.messages !== messagesPerCopy * copies) throw new Error(`parsed ${best.messages}, expected ${messagesPerCopy * copies}`);
note(
  `parsed ${best.messages} messages (${(big.length / 1048576).toFixed(1)} MiB, ${copies} copies of ${parts.length} recordings) in ${best.ms.toFixed(0)} ms (best of 3); ` +
    `${(big.length / 1048576 / (best.ms / 1000)).toFixed(0)} MiB/s`,
);
printFigure("ami.parse.events_per_s", best.messages / (best.ms / 1000), "events/s");
