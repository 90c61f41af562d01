/**
 * `asterisk-b24-connector reprocess --from … --to … [--day YYYY-MM-DD] [--only failed|missing|all]
 *  [--dry-run] [--call KEY,KEY…] [--report-dir DIR] --config FILE`
 *
 * Runs one reprocessing run in this process (same Redis, queue and rate limit as the service; the
 * service's live batches still go first), with a progress bar and ETA on stderr (plain lines when
 * stderr is not a terminal), then writes the report (HTML, CSV, JSON) and prints the summary.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadConfigFile } from "../config/index.js";
import { createLogger } from "../log/logger.js";
import { Connector } from "../runtime/connector.js";
import { reportCsv, reportHtml } from "./report.js";
import { runInProcess } from "./runner.js";
import type { Only, RunSummary } from "./types.js";

export interface ReprocessCommand {
  config: string;
  from?: string;
  to?: string;
  day?: string;
  only?: string;
  dryRun?: boolean;
  callKeys?: string[];
  reportDir?: string;
}

export class ReprocessUsageError extends Error {
  override readonly name = "UsageError";
}

/** `YYYY-MM-DD` is local midnight; anything else must be a date-time Date.parse understands. */
export function parseWhen(value: string, flag: string): Date {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00`) : new Date(value);
  if (Number.isNaN(day.getTime())) throw new ReprocessUsageError(`${flag}: not a date: "${value}" (YYYY-MM-DD or an ISO-8601 date-time)`);
  return day;
}

export function periodOf(c: ReprocessCommand): { from: Date; to: Date } {
  if (c.day) {
    const from = parseWhen(c.day, "--day");
    const to = new Date(from);
    to.setDate(to.getDate() + 1);
    return { from, to };
  }
  if (!c.from || !c.to) throw new ReprocessUsageError("reprocess needs --from and --to (or --day YYYY-MM-DD)");
  const from = parseWhen(c.from, "--from");
  const to = parseWhen(c.to, "--to");
  if (from >= to) throw new ReprocessUsageError("--from must be before --to");
  return { from, to };
}

function duration(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** One progress line: bar, calls done/found, counts, ETA. */
export function progressLine(run: RunSummary, width = 30): string {
  const { total, done, etaSeconds } = run.progress;
  const frac = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(frac * width);
  const c = run.counts;
  const counts = c ? ` fine ${c.alreadyFine} fixed ${c.fixed} wrong ${c.stillWrong}` : "";
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(Math.round(frac * 100)).padStart(3)}% ${done}/${total} calls${counts}${etaSeconds > 0 ? ` ETA ${duration(etaSeconds)}` : ""}`;
}

export async function reprocessCommand(c: ReprocessCommand, err: NodeJS.WriteStream = process.stderr, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const only = (c.only ?? "all") as Only;
  if (!["failed", "missing", "all"].includes(only)) throw new ReprocessUsageError(`--only must be failed, missing or all, got "${c.only}"`);
  const { from, to } = c.callKeys?.length && !c.from && !c.day ? { from: new Date(0), to: new Date() } : periodOf(c);
  const config = loadConfigFile(c.config);
  const logger = createLogger({ level: "error", destination: err });
  const connector = new Connector({ config, logger, http: false });
  const tty = !!err.isTTY;
  let lastPlain = 0;
  try {
    await connector.openRecordingLookup();
    await connector.users.refresh();
    const rp = connector.reprocess;
    await rp.source();
    const run = await rp.store.create({
      from: from.toISOString(),
      to: to.toISOString(),
      only,
      dryRun: !!c.dryRun,
      ...(c.callKeys?.length ? { callKeys: c.callKeys } : {}),
      trigger: "cli",
    });
    err.write(`reprocessing ${run.id}: ${run.params.from} → ${run.params.to}, only ${only}${c.dryRun ? ", dry run (nothing is changed)" : ""}\n`);
    const final = await runInProcess(rp.store, rp.engineFor(run), run, (r) => {
      if (tty) err.write(`\r${progressLine(r)}\x1b[K`);
      else if (Date.now() - lastPlain >= 5000 || r.status !== "running") {
        lastPlain = Date.now();
        err.write(`${progressLine(r)}\n`);
      }
    });
    if (tty) err.write("\n");
    const report = (await rp.report(final.id))!;
    const dir = resolve(c.reportDir ?? ".");
    mkdirSync(dir, { recursive: true });
    const base = join(dir, `reprocess-${final.id}`);
    writeFileSync(`${base}.html`, reportHtml(report));
    writeFileSync(`${base}.csv`, reportCsv(report));
    writeFileSync(`${base}.json`, JSON.stringify(report, null, 2));
    const k = final.counts ?? { checked: 0, alreadyFine: 0, fixed: 0, stillWrong: 0 };
    out.write(`${final.status}: checked ${k.checked}, already fine ${k.alreadyFine}, fixed ${k.fixed}, still wrong ${k.stillWrong}\n`);
    for (const w of report.toCheck.slice(0, 20)) out.write(`  check ${w.callKey} (${w.startedAt}): ${w.reason ?? w.problems.join("; ")}\n`);
    if (report.toCheck.length > 20) out.write(`  … ${report.toCheck.length - 20} more in the report\n`);
    out.write(`report: ${base}.html (also .csv, .json; and GET /api/reprocess/${final.id}/report.html)\n`);
    return final.status === "done" && k.stillWrong === 0 ? 0 : final.status === "done" ? 3 : 1;
  } finally {
    await connector.stop().catch(() => undefined);
  }
}
