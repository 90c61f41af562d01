/**
 * Live calls are never held up by a reprocessing backlog: while hundreds of calls rebuilt from
 * CEL drain through the same queue and rate limit (at a lower BullMQ priority), a live replay's
 * calls all reach Bitrix24 — before the backlog is through.
 */
import { describe, expect, it } from "vitest";
import { loadRecording, requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { Redis } from "ioredis";
import { startStack } from "../../src/demo/stack.js";
import { ReprocessRunner } from "../../src/reprocess/runner.js";
import { RunStore } from "../../src/reprocess/store.js";
import { silentLogger } from "../../src/log/logger.js";
import { firstCelTime, loadCelTables, recordingRows } from "./cel-db.js";
import { DAY, duplicates, runEnded } from "./helpers.js";

const available = (await requireService("redis")) && (await requireService("mariadb"));
/**
 * Big enough that the backlog cannot drain before the live calls do, whatever the machine: at the
 * emulated portal's 2 requests/s it needs about a minute (1,500 calls × 3 commands / 50 per batch),
 * while each live call needs a handful of its own batches, which go first.
 */
const BACKLOG = 1500;

describe.runIf(available)("live calls while a reprocessing backlog drains", () => {
  it("every live call is delivered while the backlog is still running, and the backlog lands once", async () => {
    const now = Date.now();
    const shift = now - 2 * DAY - (await firstCelTime(["01_inbound_ext101_answered"]));
    const cel = await loadCelTables("mysql", `rp_prio_${process.pid}_${Date.now().toString(36)}`, await recordingRows(["01_inbound_ext101_answered"], shift, BACKLOG, 20_000));
    const live = ["02_inbound_queue_sales_102_answers", "03_inbound_queue_missed", "06_outbound_answered", "07_outbound_busy", "09_inbound_blind_transfer_101_to_102"].map((n) =>
      loadRecording(n),
    );
    const prefix = uniquePrefix("rp-prio");
    // The backlog is asked for before the connector starts: its runner takes it at once, while
    // the PBX replays the live calls into the same connector (same queue, same limiter).
    const redis = new Redis(SERVICES.redis.url);
    const store = new RunStore(redis, prefix);
    const asker = new ReprocessRunner({
      connection: { host: "127.0.0.1", port: 6379 },
      prefix,
      store,
      engineFor: () => {
        throw new Error("not here");
      },
      logger: silentLogger(),
      worker: false,
    });
    const backlog = await asker.submit({ from: new Date(now - 7 * DAY).toISOString(), to: new Date(now).toISOString(), only: "all", dryRun: false, trigger: "api" });
    await asker.stop();
    const stack = await startStack({
      recordings: live,
      speed: "asap",
      redisUrl: SERVICES.redis.url,
      redisPrefix: prefix,
      logger: silentLogger(),
      // A small burst: everything waits for the drain (2 requests/s), like a busy cloud portal.
      limits: { burst: 5, drainPerSec: 2 },
      config: { cel: cel.config, recordings: { enabled: false }, reprocess: { schedule: false } } as never,
    });
    try {
      await stack.idle();
      // Every live call is in Bitrix24, finished …
      const liveKeys = new Set(live.flatMap((r) => r.messages.map((m) => m.message.get("Linkedid") ?? "")));
      const journal = await stack.connector.journal.list({ limit: 1000 });
      const liveCalls = journal.filter((c) => liveKeys.has(c.callKey));
      expect(liveCalls.filter((c) => c.status !== "delivered" && c.status !== "skipped")).toEqual([]);
      expect(liveCalls.filter((c) => c.status === "delivered").length).toBe(live.filter((r) => r.expect.expect.calls.length > 0).length);
      // … while the backlog is still draining.
      const mid = (await stack.connector.reprocess.get(backlog.id))!;
      expect(mid.status).toBe("running");
      expect(mid.counts?.fixed ?? 0).toBeLessThan(BACKLOG);

      const end = await runEnded(stack.connector, backlog.id);
      expect(end.status, end.error).toBe("done");
      expect(end.counts).toEqual({ checked: BACKLOG, alreadyFine: 0, fixed: BACKLOG, stillWrong: 0 });
      // The shared limiter keeps the portal's limit; a 503 the emulator still answers when a loaded
      // machine stalls its event loop (requests spread by us arrive bunched) is retried by the
      // client — what matters is that everything landed once (below), so the count is not asserted.
      expect(duplicates(stack.emu)).toEqual([]);
    } finally {
      await stack.close();
      redis.disconnect();
      await cel.drop().catch(() => undefined);
    }
  }, 600_000);
});
