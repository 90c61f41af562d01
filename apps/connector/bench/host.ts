/**
 * The host a bench runs on: its load (printed beside the figures, so they compare across
 * machines and runs) and a CPU burner that saturates every core, as another job on the same
 * host would.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { note, printFigure } from "@asterisk-b24/testkit";

/** Prints the 1-minute load average and the core count (stderr note + one figure). */
export function printHostLoad(label: string): void {
  const [one] = loadavg();
  note(
    `${label}: load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")} on ${availableParallelism()} cores`,
  );
  printFigure(`host.${label}.loadavg_1m`, Number(one!.toFixed(2)), "load");
}

/** Starts one busy-looping process per core (lowest priority is NOT asked for: it competes as equals). */
export function startCpuBurner(processes = availableParallelism()): { stop(): void } {
  const children: ChildProcess[] = [];
  for (let i = 0; i < processes; i++) children.push(spawn(process.execPath, ["-e", "for(;;){}"], { stdio: "ignore" }));
  return {
    stop() {
      for (const c of children) c.kill("SIGKILL");
    },
  };
}
