/**
 * Raw rows (a CSV record, a MySQL/PostgreSQL row) → CelRow / CdrRow. Column names are matched
 * case-insensitively, with the aliases real installations use (`eventextra` for `extra`,
 * `bridgepeer` for `peer`, `AcctId` for `id`, `start` for `calldate`…).
 */
import type { CdrRow, CelRow } from "./rows.js";
import { parseCelTime } from "./time.js";

export type RawRow = Record<string, unknown>;

const CEL_ALIASES: Record<string, string> = { acctid: "id", eventextra: "extra", bridgepeer: "peer", cidname: "cid_name", cidnum: "cid_num" };
const CDR_ALIASES: Record<string, string> = { start: "calldate", enddate: "end", acctid: "id" };

/** cel_pgsql (old layouts) may store the event type as its number (enum ast_cel_event_type). */
const CEL_TYPE_BY_NUMBER: Record<string, string> = {
  "1": "CHAN_START",
  "2": "CHAN_END",
  "3": "ANSWER",
  "4": "HANGUP",
  "5": "APP_START",
  "6": "APP_END",
  "7": "PARK_START",
  "8": "PARK_END",
  "9": "USER_DEFINED",
  "10": "BRIDGE_ENTER",
  "11": "BRIDGE_EXIT",
  "12": "BLINDTRANSFER",
  "13": "ATTENDEDTRANSFER",
  "14": "PICKUP",
  "15": "FORWARD",
  "16": "LINKEDID_END",
  "17": "LOCAL_OPTIMIZE",
  "18": "LOCAL_OPTIMIZE_BEGIN",
  "19": "STREAM_BEGIN",
  "20": "STREAM_END",
  "21": "DTMF",
};

/** Lower-cased, alias-resolved copy of a raw row. */
const names = new Map<Record<string, string>, Map<string, string>>();
export function canonicalColumns(raw: RawRow, aliases: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let known = names.get(aliases);
  if (!known) names.set(aliases, (known = new Map()));
  for (const key in raw) {
    let name = known.get(key);
    if (name === undefined) {
      const lk = key.toLowerCase();
      name = aliases[lk] ?? lk;
      if (known.size < 1000) known.set(key, name);
    }
    if (!(name in out) || out[name] === "" || out[name] == null) out[name] = raw[key];
  }
  return out;
}

const text = (v: unknown): string => {
  if (v == null) return "";
  if (typeof v === "string") return v;
  if (Buffer.isBuffer(v)) return v.toString("utf8");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
};
const int = (v: unknown): number => {
  const n = typeof v === "number" ? v : Number(text(v));
  return Number.isFinite(n) ? n : 0;
};
function time(v: unknown, zone: string): Date | null {
  if (v == null || v === "") return null;
  if (v instanceof Date) return v;
  const s = text(v);
  if (s.startsWith("0000-00-00")) return null;
  return parseCelTime(s, zone);
}

/** A CEL row from any source; throws CelTimeError on a bad eventtime. */
export function toCelRow(raw: RawRow, zone: string): CelRow {
  const c = canonicalColumns(raw, CEL_ALIASES);
  const type = text(c.eventtype).trim();
  const eventtime = time(c.eventtime, zone);
  if (!eventtime) throw new Error(`CEL row without eventtime (uniqueid ${text(c.uniqueid)})`);
  const row: CelRow = {
    eventtype: CEL_TYPE_BY_NUMBER[type] ?? type,
    eventtime,
    cid_name: text(c.cid_name),
    cid_num: text(c.cid_num),
    cid_ani: text(c.cid_ani),
    cid_rdnis: text(c.cid_rdnis),
    cid_dnid: text(c.cid_dnid),
    exten: text(c.exten),
    context: text(c.context),
    channame: text(c.channame),
    appname: text(c.appname),
    appdata: text(c.appdata),
    amaflags: int(c.amaflags),
    accountcode: text(c.accountcode),
    peeraccount: text(c.peeraccount),
    uniqueid: text(c.uniqueid),
    linkedid: text(c.linkedid),
    userfield: text(c.userfield),
    peer: text(c.peer),
    userdeftype: text(c.userdeftype),
    extra: text(c.extra),
  };
  if (c.id != null && c.id !== "") row.id = int(c.id);
  return row;
}

export function toCdrRow(raw: RawRow, zone: string): CdrRow {
  const c = canonicalColumns(raw, CDR_ALIASES);
  return {
    calldate: time(c.calldate, zone) ?? new Date(0),
    answer: time(c.answer, zone),
    end: time(c.end, zone),
    clid: text(c.clid),
    src: text(c.src),
    dst: text(c.dst),
    dcontext: text(c.dcontext),
    channel: text(c.channel),
    dstchannel: text(c.dstchannel),
    lastapp: text(c.lastapp),
    lastdata: text(c.lastdata),
    duration: int(c.duration),
    billsec: int(c.billsec),
    disposition: text(c.disposition),
    amaflags: text(c.amaflags),
    accountcode: text(c.accountcode),
    uniqueid: text(c.uniqueid),
    userfield: text(c.userfield),
    did: text(c.did),
    recordingfile: text(c.recordingfile),
    cnum: text(c.cnum),
    cnam: text(c.cnam),
    outbound_cnum: text(c.outbound_cnum),
    linkedid: text(c.linkedid),
    peeraccount: text(c.peeraccount),
    sequence: int(c.sequence),
  };
}
