/**
 * End to end on the SYNTHETIC fixtures (packages/testkit/fixtures/asterisk-synthetic: call pickup,
 * parking retrieved / timed out / given up, voicemail — built from the Asterisk 22 AMI docs, no
 * real recording exists): AMI replay over TCP → connector → strict Bitrix24 emulator, in both card
 * modes, through the same path and the same NAME.expect.json check as the real recordings.
 */
import { describe, expect, it } from "vitest";
import { loadRecording, recordingNames, requireService, SERVICES, SYNTHETIC_RECORDINGS_DIR, uniquePrefix } from "@asterisk-b24/testkit";
import { silentLogger } from "../../src/log/logger.js";
import { startStack } from "../../src/demo/stack.js";
import { checkOutcome } from "./outcome.js";

const available = await requireService("redis");
const names = recordingNames(SYNTHETIC_RECORDINGS_DIR);

describe.runIf(available)("end to end: synthetic pickup / parking / voicemail fixtures land in Bitrix24 as their NAME.md says", () => {
  for (const cardMode of ["ringing", "answer"] as const) {
    for (const name of names) {
      it(`${name} (card on ${cardMode})`, async () => {
        const rec = loadRecording(name, SYNTHETIC_RECORDINGS_DIR);
        const stack = await startStack({
          recordings: [rec],
          speed: "asap",
          redisUrl: SERVICES.redis.url,
          redisPrefix: uniquePrefix(`e2e-syn-${cardMode}`),
          cardMode,
          contacts: rec.expect.b24.contacts,
          logger: silentLogger(),
        });
        try {
          await stack.idle();
          expect(checkOutcome(rec, stack.emu, cardMode)).toEqual([]);
          const journal = await stack.connector.journal.list({ limit: 50 });
          expect(journal.filter((c) => c.status === "in_progress" || c.status === "failed")).toEqual([]);
          // The record that was attached is the voicemail when the fixture left one and had no MixMonitor.
          const attached = journal.map((c) => c.recordFile).filter(Boolean);
          if (name.includes("voicemail")) expect(attached).toEqual([expect.stringMatching(/voicemail\/default\/101\/INBOX\/msg0000\.wav$/)]);
        } finally {
          await stack.close();
        }
      });
    }
  }
});
