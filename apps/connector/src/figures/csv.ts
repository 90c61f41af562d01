import type { Figures, ManagerRow } from "./aggregate.js";

/** The figures' tables as CSV (RFC 4180, comma, CRLF), one table per download. */

export const CSV_TABLES = ["queues", "managers", "missed"] as const;
export type CsvTable = (typeof CSV_TABLES)[number];

function cell(v: unknown): string {
  const s = v === undefined || v === null ? "" : String(v);
  // a leading = + - @ would run as a formula in a spreadsheet
  const safe = /^[=+\-@]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function table(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}

export function figuresCsv(f: Omit<Figures, "managers"> & { managers: Array<ManagerRow & { userId?: number; userName?: string }> }, which: CsvTable): string {
  if (which === "queues") {
    return table(
      [
        "queue",
        "offered",
        "answered",
        "abandoned",
        "other",
        `answered_within_${f.serviceLevelSec}s`,
        "service_level",
        "avg_wait_s",
        "p90_wait_s",
        "avg_abandon_wait_s",
        "max_abandon_wait_s",
        "avg_talk_s",
      ],
      f.queues.map((q) => [
        q.queue,
        q.offered,
        q.answered,
        q.abandoned,
        q.other,
        q.answeredWithin,
        q.serviceLevel,
        q.avgWaitSec,
        q.p90WaitSec,
        q.avgAbandonWaitSec,
        q.maxAbandonWaitSec,
        q.avgTalkSec,
      ]),
    );
  }
  if (which === "managers") {
    return table(
      ["extension", "crm_user_id", "crm_user", "rung", "answered", "missed", "placed", "talk_s"],
      f.managers.map((m) => [m.extension, m.userId, m.userName, m.rung, m.answered, m.missed, m.placed, m.talkSec]),
    );
  }
  return table(
    ["call_key", "started_at", "client", "line", "queues", "rang"],
    f.missedByAll.map((c) => [c.key, new Date(c.startedAt).toISOString(), c.client, c.line, c.queues.join(" "), c.rang.join(" ")]),
  );
}
