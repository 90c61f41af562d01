/**
 * The mixed-load soak (see soak.ts and docs/soak.md): 150 calls of every recorded flow (and of the
 * variants nobody owns: phones without a Bitrix24 user, callers without a CRM contact), at the
 * recorded pace, up to 20 at once on one AMI connection, through the whole connector into the
 * Bitrix24 emulator — a portal whose register de-duplication ignores EXTERNAL_CALL_ID (older
 * boxes), so the same client calling the same manager while an earlier call is still open is
 * de-duplicated by Bitrix24. Every call must be registered exactly once and finished as its
 * recording's NAME.expect.json says. Takes about 3–4 minutes.
 */
import { describe, expect, it } from "vitest";
import { requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { silentLogger } from "../../src/log/logger.js";
import { describeProblems, runSoak } from "./soak.js";

const available = await requireService("redis");

describe.runIf(available)("mixed-load soak at real pace", () => {
  it(
    "lands every one of 150 mixed calls, 20 at once, each registered once and finished right",
    async () => {
      const report = await runSoak({
        calls: 150,
        concurrency: 20,
        speed: 1,
        redisUrl: SERVICES.redis.url,
        redisPrefix: uniquePrefix("soak"),
        dedupByExternalCallId: false,
        logger: silentLogger(),
      });
      expect(report.calls).toBeGreaterThanOrEqual(150);
      expect(report.maxConcurrent).toBeGreaterThanOrEqual(15);
      // Every flow took part, and the portal did de-duplicate registers (the hazard was there).
      expect(new Set(report.verdicts.map((v) => v.replica.source)).size).toBeGreaterThanOrEqual(10);
      expect(report.deduplicated).toBeGreaterThan(0);
      expect(describeProblems(report)).toEqual([]);
      expect(report.expectedCalls).toBeGreaterThanOrEqual(130);
      expect(report.landedCalls).toBe(report.expectedCalls);
      expect(report.rightCalls).toBe(report.expectedCalls);
      // Calls nobody owns took part (about one in four) and every one landed on the credential's user.
      expect(report.unownedCalls).toBeGreaterThanOrEqual(30);
      expect(report.unownedLanded).toBe(report.unownedCalls);
    },
    15 * 60_000,
  );
});
