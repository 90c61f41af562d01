/**
 * CSV as Asterisk writes it (cel_custom's CSV_QUOTE, cdr_csv's Master.csv): fields separated by
 * commas, optionally in double quotes with "" for a quote inside; a quoted field may hold
 * newlines. Streaming: records come out as the chunks arrive.
 */
import { createReadStream } from "node:fs";

export async function* csvRecords(chunks: AsyncIterable<string | Buffer> | Iterable<string | Buffer>): AsyncIterable<string[]> {
  let field = "";
  let record: string[] = [];
  let quoted = false;
  let afterQuote = false;
  let pendingCr = false;
  for await (const chunk of chunks) {
    const s = typeof chunk === "string" ? chunk : chunk.toString("utf8");
    let i = 0;
    const out: string[][] = [];
    while (i < s.length) {
      const ch = s.charCodeAt(i);
      if (quoted) {
        const q = s.indexOf('"', i);
        if (q < 0) {
          field += s.slice(i);
          i = s.length;
          break;
        }
        field += s.slice(i, q);
        i = q + 1;
        quoted = false;
        afterQuote = true;
        continue;
      }
      if (ch === 34 /* " */) {
        if (afterQuote) field += '"'; // "" inside a quoted field
        quoted = true;
        afterQuote = false;
      } else if (ch === 44 /* , */) {
        record.push(field);
        field = "";
        afterQuote = false;
      } else if (ch === 10 /* \n */ || ch === 13 /* \r */) {
        if (!(ch === 10 && pendingCr)) {
          record.push(field);
          if (record.length > 1 || record[0] !== "") out.push(record);
          record = [];
          field = "";
        }
        afterQuote = false;
        pendingCr = ch === 13;
        i++;
        continue;
      } else {
        // A run of plain characters up to the next comma, quote or line end.
        let j = i + 1;
        while (j < s.length) {
          const c = s.charCodeAt(j);
          if (c === 44 || c === 34 || c === 10 || c === 13) break;
          j++;
        }
        field += s.slice(i, j);
        afterQuote = false;
        pendingCr = false;
        i = j;
        continue;
      }
      pendingCr = false;
      i++;
    }
    for (const r of out) yield r;
  }
  if (field !== "" || record.length > 0) {
    record.push(field);
    yield record;
  }
}

export function csvFileRecords(path: string): AsyncIterable<string[]> {
  return csvRecords(createReadStream(path, { encoding: "utf8", highWaterMark: 256 * 1024 }));
}

/** cel_custom.conf's sample `Master.csv =>` mapping, the order of a header-less cel-custom file. */
export const CEL_CUSTOM_COLUMNS = [
  "eventtype",
  "eventtime",
  "cid_name",
  "cid_num",
  "cid_ani",
  "cid_rdnis",
  "cid_dnid",
  "exten",
  "context",
  "channame",
  "appname",
  "appdata",
  "amaflags",
  "accountcode",
  "uniqueid",
  "linkedid",
  "peer",
  "userfield",
  "userdeftype",
  "extra",
] as const;

/** cdr_csv's Master.csv (no header): with `loguniqueid`/`loguserfield` and `newcdrcolumns` the last five. */
export const CDR_CSV_COLUMNS = [
  "accountcode",
  "src",
  "dst",
  "dcontext",
  "clid",
  "channel",
  "dstchannel",
  "lastapp",
  "lastdata",
  "start",
  "answer",
  "end",
  "duration",
  "billsec",
  "disposition",
  "amaflags",
  "uniqueid",
  "userfield",
  "peeraccount",
  "linkedid",
  "sequence",
] as const;

/**
 * Records → objects by column name. The first record is a header when it names the key column
 * (`eventtype` / `calldate`/`start`…), else `columns` give the order.
 */
export async function* csvObjects(records: AsyncIterable<string[]>, columns: readonly string[], isHeader: (first: string[]) => boolean): AsyncIterable<Record<string, string>> {
  let names: readonly string[] | undefined;
  for await (const rec of records) {
    if (!names) {
      if (isHeader(rec)) {
        names = rec.map((n) => n.trim());
        continue;
      }
      names = columns;
    }
    const o: Record<string, string> = {};
    for (let i = 0; i < names.length && i < rec.length; i++) o[names[i]!] = rec[i]!;
    yield o;
  }
}
