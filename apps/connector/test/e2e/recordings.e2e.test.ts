/**
 * End to end, for every recording: AMI replay over TCP → connector (tracker, Redis outbox,
 * pipeline, batched client) → strict Bitrix24 emulator, in both card modes; the emulator's
 * state must match NAME.expect.json, with no duplicate registration and no 4xx.
 */
import { afterAll, describe, expect, it } from "vitest";
import { loadRecording, recordingNames, requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { silentLogger } from "../../src/log/logger.js";
import { startStack } from "../../src/demo/stack.js";
import { checkOutcome } from "./outcome.js";

const available = await requireService("redis");
const names = recordingNames();

describe.runIf(available)("end to end: every recording lands in Bitrix24 as its NAME.md says", () => {
  for (const cardMode of ["ringing", "answer"] as const) {
    for (const name of names) {
      it(`${name} (card on ${cardMode})`, async () => {
        const rec = loadRecording(name);
        const stack = await startStack({
          recordings: [rec],
          speed: "asap",
          redisUrl: SERVICES.redis.url,
          redisPrefix: uniquePrefix(`e2e-${cardMode}`),
          cardMode,
          contacts: rec.expect.b24.contacts,
          logger: silentLogger(),
        });
        try {
          await stack.idle();
          const problems = checkOutcome(rec, stack.emu, cardMode, stack.clicks.get(name));
          expect(problems).toEqual([]);
          // Every call reached a final state in the journal, none failed.
          const journal = await stack.connector.journal.list({ limit: 50 });
          expect(journal.filter((c) => c.status === "in_progress" || c.status === "failed")).toEqual([]);
          // Nothing a CRM sent reached AMI with CR/LF; click-to-call sent exactly one Originate.
          const originates = stack.pbx.actions.filter((a) => a.get("Action") === "Originate");
          const want = rec.expect.expect.ami.originate;
          expect(originates.length).toBe(want?.count ?? 0);
          if (want) {
            expect(originates[0]!.get("Channel")).toMatch(new RegExp(want.Channel.slice(1, -1)));
            expect(originates[0]!.get("Exten")).toMatch(new RegExp(want.Exten.slice(1, -1)));
          }
        } finally {
          await stack.close();
        }
      });
    }
  }
});

afterAll(() => undefined);
