/**
 * CelSource over cel-custom's CSV file (and cdr_csv's Master.csv). A CSV has no index: each run
 * reads the file from the start and skips rows before the period; CDR rows are indexed for the
 * period first (only those that carry a recording file or a DID: all the rebuild uses).
 */
import type { CelSource } from "./types.js";
import { cdrCsvRows, celCsvRows } from "./csv-rows.js";
import { groupCalls } from "./group.js";
import type { CdrRow } from "./rows.js";

export interface CsvSourceSettings {
  csvPath: string;
  cdrCsvPath?: string | undefined;
  csvColumns?: readonly string[] | undefined;
  timezone: string;
  maxCallMs?: number;
}

export function csvCelSource(s: CsvSourceSettings): CelSource {
  const maxCall = s.maxCallMs ?? 12 * 3600_000;

  async function cdrIndex(from: number, to: number): Promise<Map<string, CdrRow[]> | undefined> {
    if (!s.cdrCsvPath) return undefined;
    const index = new Map<string, CdrRow[]>();
    for await (const r of cdrCsvRows(s.cdrCsvPath, s.timezone)) {
      const t = r.calldate.getTime();
      if (t < from - 3600_000 || t > to + maxCall) continue;
      if (!r.recordingfile && !r.did) continue;
      const list = index.get(r.uniqueid) ?? [];
      list.push(r);
      index.set(r.uniqueid, list);
    }
    return index;
  }
  const cdrOf = (index: Map<string, CdrRow[]> | undefined, uids: Iterable<string>): CdrRow[] | undefined => {
    if (!index) return undefined;
    const out: CdrRow[] = [];
    for (const u of new Set(uids)) out.push(...(index.get(u) ?? []));
    return out;
  };

  return {
    async *calls(from, to) {
      const index = await cdrIndex(from.getTime(), to.getTime());
      for await (const c of groupCalls(celCsvRows(s.csvPath, s.timezone, s.csvColumns), { from, to, maxCallMs: maxCall })) {
        yield {
          linkedid: c.linkedid,
          cel: c.cel,
          cdr: cdrOf(
            index,
            c.cel.map((r) => r.uniqueid),
          ),
        };
      }
    },
    async call(linkedid) {
      const all = { from: new Date(0), to: new Date(8.64e15), maxCallMs: maxCall, inProgressMs: 0 };
      for await (const c of groupCalls(celCsvRows(s.csvPath, s.timezone, s.csvColumns), all)) {
        if (!c.cel.some((r) => r.linkedid === linkedid)) continue;
        const t = c.cel[0]!.eventtime.getTime();
        return {
          linkedid: c.linkedid,
          cel: c.cel,
          cdr: cdrOf(
            await cdrIndex(t, t),
            c.cel.map((r) => r.uniqueid),
          ),
        };
      }
      return undefined;
    },
    close: async () => undefined,
  };
}
