/** Test helpers for reprocessing: wait for a run, compare the emulated portal with NAME.expect.json. */
import type { B24Emulator, Recording } from "@asterisk-b24/testkit";
import type { Connector } from "../../src/runtime/connector.js";
import type { RunParams, RunSummary } from "../../src/reprocess/index.js";
import { callsOfRecording, checkOutcome } from "../e2e/outcome.js";

export const DAY = 86_400_000;

/** Waits (no deadline of its own: the test timeout is the limit) until the run ended. */
export async function runEnded(connector: Connector, id: string): Promise<RunSummary> {
  for (;;) {
    const run = await connector.reprocess.get(id);
    if (run && ["done", "failed", "cancelled"].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Submits a run through the connector's runner and waits for its end. */
export async function reprocessRun(connector: Connector, params: Partial<RunParams> & { from: string; to: string }): Promise<RunSummary> {
  const run = await connector.reprocess.submit({ only: "all", dryRun: false, trigger: "api", ...params });
  return runEnded(connector, run.id);
}

/**
 * The recording's expected CRM outcome, as far as a call rebuilt after the fact can give it:
 * no cards (reprocessing never pops a card for an old call), missed-call tasks off, and a
 * click-to-call registered by the connector (Bitrix24's own CALL_ID is not in CEL).
 */
export function reprocessedOutcome(rec: Recording, emu: B24Emulator): string[] {
  const exp = rec.expect.expect;
  const byPortal = exp.calls.filter((c) => c.source === "portal").length;
  const reg = exp.registrations;
  const registrations = typeof reg === "number" ? reg + byPortal : { min: reg.min + byPortal, max: reg.max + byPortal };
  const relaxed: Recording = { ...rec, expect: { ...rec.expect, expect: { ...exp, registrations, calls: exp.calls.map((c) => ({ ...c, source: undefined })) } } } as Recording;
  const mine = callsOfRecording(rec, emu);
  return checkOutcome(relaxed, emu, "answer", undefined, mine).filter((p) => !/card|show request|got no card|^tasks/.test(p));
}

/** One Bitrix24 call per EXTERNAL_CALL_ID and none registered again. */
export function duplicates(emu: B24Emulator): string[] {
  const seen = new Map<string, number>();
  for (const c of emu.calls()) if (c.EXTERNAL_CALL_ID) seen.set(c.EXTERNAL_CALL_ID, (seen.get(c.EXTERNAL_CALL_ID) ?? 0) + 1);
  return [
    ...[...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k} registered ${n} times`),
    ...emu
      .calls()
      .filter((c) => c.reRegistrations > 0)
      .map((c) => `${c.CALL_ID} re-registered`),
  ];
}
