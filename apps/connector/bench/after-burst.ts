/**
 * Sustained throughput from the emulator's request log. The portal's burst (the first `burst`
 * requests) lets them carry far more than the drain would; what counts is the rate once only the
 * drain is left: commands Bitrix24 took per second after the burst.
 */
import type { B24Emulator } from "@asterisk-b24/testkit";

export interface AfterBurst {
  /** Top-level requests after the burst, the commands they carried, over how many seconds. */
  requests: number;
  commands: number;
  seconds: number;
  /** Every command of the run (batch sub-commands and single calls). */
  totalCommands: number;
}

export function afterBurst(emu: B24Emulator, burst = 50): AfterBurst {
  const all = emu.requests();
  const top = all.filter((r) => r.batchOf === undefined && r.method !== "").sort((a, b) => a.id - b.id);
  const subCount = new Map<number, number>();
  for (const r of all) if (r.batchOf !== undefined) subCount.set(r.batchOf, (subCount.get(r.batchOf) ?? 0) + 1);
  const tail = top.slice(burst + 1);
  const commands = tail.reduce((n, r) => n + (subCount.get(r.id) ?? 1), 0);
  const seconds = tail.length > 1 ? (tail[tail.length - 1]!.at - top[burst]!.at) / 1000 : NaN;
  return { requests: tail.length, commands, seconds, totalCommands: top.reduce((n, r) => n + (subCount.get(r.id) ?? 1), 0) };
}
