/**
 * CEL rows of one call → the AMI events the live tracker understands, in order, each with its
 * time (epoch ms). Pure: no I/O.
 *
 * CEL says less than AMI: no DialBegin/DialEnd, no Ringing state, no AgentCalled. What is
 * missing is inferred from the call's other rows (all of them are known: the call is complete):
 * - how a channel came to be: `AppDial2` rows = originated (click-to-call), `AppDial`/`AppQueue`
 *   rows or a uniqueid ≠ linkedid = dialled by someone, else it started the call (incoming);
 * - who dialled it: the most recent live channel that can run Dial (it started the call, is the
 *   `;2` half of a Local pair, was originated, or was answered) and is not in a bridge;
 * - the queue: the dialler's `Queue` application data; the dialplan number: the dialler's exten
 *   when it ran Dial/Queue;
 * - how an unanswered leg ended: its hangup cause, else the dialler's DIALSTATUS (HANGUP extra),
 *   else NOANSWER when the dialler kept going, CANCEL when it left too.
 * The mapping table is in docs/cel.md.
 */
import { AmiMessage } from "@asterisk-b24/ami";
import type { CdrRow, CelRow } from "./rows.js";

const CHANNEL_HEADERS = ["Channel", "Uniqueid", "Linkedid", "Context", "Exten", "CallerIDNum", "CallerIDName", "ChannelState", "ChannelStateDesc"];
const HEADERS = [
  "Event",
  "DialStatus",
  "DialString",
  "Queue",
  "BridgeUniqueid",
  "BridgeTechnology",
  "BridgeType",
  "Cause",
  "Variable",
  "Value",
  "Result",
  "Extension",
  "DestType",
  "Response",
  "Reason",
  ...["", "Dest", "Transferer", "Transferee", "OrigTransferer", "SecondTransferer", "TransferTarget", "Parkee", "Retriever", "Target"].flatMap((p) =>
    CHANNEL_HEADERS.map((h) => p + h),
  ),
];
/** Lower-case header name → the casing written here (AMI's own). */
const canonical = new Map(HEADERS.map((h) => [h.toLowerCase(), h]));
const lowerCache = new Map<string, string>();

/**
 * An AMI event made from CEL. Same contract as a received message (case-insensitive `get`), but
 * looked up in the object it was made from: rebuilding thousands of calls a second makes `get`
 * the hot path, and the tracker asks with AMI's casing, which is the casing written here.
 */
class CelEvent extends AmiMessage {
  readonly #obj: Record<string, string>;
  constructor(obj: Record<string, string>) {
    super(Object.entries(obj));
    this.#obj = obj;
  }
  override get(key: string): string | undefined {
    const v = this.#obj[key];
    if (v !== undefined) return v;
    let lk = lowerCache.get(key);
    if (lk === undefined) {
      lk = key.toLowerCase();
      lowerCache.set(key, lk);
    }
    const name = canonical.get(lk);
    return name === undefined || name === key ? undefined : this.#obj[name];
  }
}

export interface TimedEvent {
  at: number;
  message: AmiMessage;
}

export interface Translation {
  events: TimedEvent[];
  /** Recording file chosen for the call (MixMonitor app data, else CDR recordingfile), "". */
  recordingFile: string;
  /** Rows of event types this translation does not use. */
  skipped: number;
}

type Origin = "incoming" | "dialed" | "originated";

interface Chan {
  uid: string;
  name: string;
  rows: CelRow[];
  origin: Origin;
  isLocal2: boolean;
  queueLeg: boolean;
  started: boolean;
  startedAt: number;
  ended: boolean;
  endedAt: number;
  answered: boolean;
  bridge: string;
  dialer: Chan | undefined;
}

/** Event types that carry nothing the tracker needs (no row is "lost" by ignoring them). */
const IGNORED = new Set([
  "LINKEDID_END",
  "APP_END",
  "STREAM_BEGIN",
  "STREAM_END",
  "LOCAL_OPTIMIZE",
  "LOCAL_OPTIMIZE_BEGIN",
  "USER_DEFINED",
  "HOOKFLASH",
  "DTMF",
  "FORWARD",
  "BRIDGE_START",
  "BRIDGE_END",
  "BRIDGE_UPDATE",
  "CONF_ENTER",
  "CONF_EXIT",
  "CONF_START",
  "CONF_END",
  "3WAY_START",
  "3WAY_END",
  "TRANSFER",
  "BRIDGE_TO_CONF",
]);

const UNAVAILABLE_CAUSES = new Set([1, 3, 20, 27, 28]);
const CONGESTION_CAUSES = new Set([34, 38, 41, 42, 44]);

/** Parses CEL `extra` (JSON since Asterisk 12); "" or garbage → {}. */
export function parseExtra(extra: string): Record<string, unknown> {
  if (!extra || extra.charCodeAt(0) !== 123 /* { */) return {};
  try {
    const v: unknown = JSON.parse(extra);
    return v && typeof v === "object" ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const str = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");

/** First argument of application data: `sales,t,,,300` → `sales`; MixMonitor `"/a b.wav",b` → `/a b.wav`. */
export function firstArg(appdata: string): string {
  const s = appdata.trim();
  if (s.startsWith('"')) {
    const end = s.indexOf('"', 1);
    return end > 0 ? s.slice(1, end) : s.slice(1);
  }
  const comma = s.search(/[,|]/);
  return comma < 0 ? s : s.slice(0, comma);
}

/** Recording file for the call: MixMonitor APP_START app data first, else the CDR's recordingfile. */
function recordingOf(rows: readonly CelRow[], cdr: readonly CdrRow[] | undefined): { file: string; row: CelRow | undefined } {
  for (const r of rows) if (r.eventtype === "APP_START" && r.appname.toLowerCase() === "mixmonitor" && firstArg(r.appdata)) return { file: firstArg(r.appdata), row: r };
  for (const c of cdr ?? []) if (c.recordingfile) return { file: c.recordingfile, row: undefined };
  return { file: "", row: undefined };
}

/** The PARK_END outcome other than a retrieval (timeout, give-up), "" for a retrieval (UnParkedCall). */
function parkEndReason(r: CelRow): "ParkedCallTimeOut" | "ParkedCallGiveUp" | "" {
  const reason = str(parseExtra(r.extra).reason);
  return reason === "ParkedCallTimeOut" || reason === "ParkedCallGiveUp" ? reason : "";
}

function statusForCause(cause: number): string {
  if (cause === 17 || cause === 21) return "BUSY";
  if (cause === 18 || cause === 19) return "NOANSWER";
  if (cause === 26) return "CANCEL";
  if (UNAVAILABLE_CAUSES.has(cause)) return "CHANUNAVAIL";
  if (CONGESTION_CAUSES.has(cause)) return "CONGESTION";
  return "";
}

export function translateCall(rows: readonly CelRow[], cdr?: readonly CdrRow[]): Translation {
  const chans = new Map<string, Chan>();
  for (const r of rows) {
    let c = chans.get(r.uniqueid);
    if (!c) {
      c = {
        uid: r.uniqueid,
        name: r.channame,
        rows: [],
        origin: "incoming",
        isLocal2: r.channame.startsWith("Local/") && r.channame.endsWith(";2"),
        queueLeg: false,
        started: false,
        startedAt: 0,
        ended: false,
        endedAt: 0,
        answered: false,
        bridge: "",
        dialer: undefined,
      };
      chans.set(r.uniqueid, c);
    }
    c.rows.push(r);
  }
  for (const c of chans.values()) c.origin = originOf(c);

  const events: TimedEvent[] = [];
  const at0 = rows.length > 0 ? rows[0]!.eventtime.getTime() : 0;
  const rec = recordingOf(rows, cdr);
  const did = cdr?.find((c) => c.did)?.did ?? "";
  let rootDone = false;
  /** Parkees in a slot now; PARK_END rows already turned into UnParkedCall. */
  const parkedNow = new Set<string>();
  const parkEndsDone = new Set<CelRow>();
  let skipped = 0;
  const push = (at: number, fields: Record<string, string>) => events.push({ at, message: new CelEvent(fields) });

  for (const r of rows) {
    const c = chans.get(r.uniqueid)!;
    const at = r.eventtime.getTime();
    switch (r.eventtype) {
      case "CHAN_START": {
        if (c.started) break;
        start(c, r, at);
        break;
      }
      case "ANSWER": {
        if (!c.started) start(c, r, at);
        answer(c, r, at);
        break;
      }
      case "BRIDGE_ENTER": {
        if (!c.started) start(c, r, at);
        // Only channels that are up are bridged: a missing ANSWER row (filtered events) is implied.
        answer(c, r, at);
        const x = parseExtra(r.extra);
        const bridge = str(x.bridge_id);
        if (!bridge || c.ended) break;
        // A parked client bridged again (retrieved): Asterisk 22 writes PARK_END after the
        // BRIDGE_ENTERs; the tracker gets UnParkedCall first, as the AMI documents it.
        if (parkedNow.has(c.uid) && str(x.bridge_technology) !== "holding_bridge") {
          const end = c.rows.find((y) => y.eventtype === "PARK_END" && y.eventtime.getTime() >= at);
          if (end && !parkEndReason(end)) {
            unparked(c, end, at);
            parkEndsDone.add(end);
          }
        }
        c.bridge = bridge;
        push(at, { Event: "BridgeEnter", ...channelFields(r, c), BridgeUniqueid: bridge, BridgeTechnology: str(x.bridge_technology), BridgeType: "" });
        break;
      }
      case "BRIDGE_EXIT": {
        const x = parseExtra(r.extra);
        const bridge = str(x.bridge_id) || c.bridge;
        if (c.bridge === bridge) c.bridge = "";
        if (bridge) push(at, { Event: "BridgeLeave", ...channelFields(r, c), BridgeUniqueid: bridge });
        break;
      }
      case "HANGUP":
      case "CHAN_END": {
        if (c.ended) break;
        if (!c.started) start(c, r, at);
        const x = parseExtra(r.extra);
        const cause = r.eventtype === "HANGUP" && x.hangupcause !== undefined ? Number(x.hangupcause) : -1;
        if (c.origin === "dialed" && !c.answered && c.dialer) {
          const status = unansweredStatus(c, cause, at);
          if (status) push(at, { Event: "DialEnd", ...channelFields(lastRowOf(c.dialer, at), c.dialer), ...destFields(r), DialStatus: status });
        }
        if (c.origin === "originated" && !c.answered) events.push(originateResponse(c, r, "Failure", ORIGINATE_REASON_BY_CAUSE[cause] ?? 1));
        c.ended = true;
        c.endedAt = at;
        c.bridge = "";
        push(at, { Event: "Hangup", ...channelFields(r, c), Cause: Number.isFinite(cause) && cause >= 0 ? String(cause) : "" });
        break;
      }
      case "BLINDTRANSFER": {
        const x = parseExtra(r.extra);
        push(at, {
          Event: "BlindTransfer",
          Result: "Success",
          ...prefixed("Transferer", r),
          TransfereeChannel: str(x.transferee_channel_name),
          TransfereeUniqueid: str(x.transferee_channel_uniqueid),
          BridgeUniqueid: str(x.bridge_id),
          Context: str(x.context),
          Extension: str(x.extension),
        });
        break;
      }
      case "ATTENDEDTRANSFER": {
        const x = parseExtra(r.extra);
        push(at, {
          Event: "AttendedTransfer",
          Result: "Success",
          ...prefixed("OrigTransferer", r),
          SecondTransfererChannel: str(x.channel2_name),
          SecondTransfererUniqueid: str(x.channel2_uniqueid),
          TransfereeChannel: str(x.transferee_channel_name),
          TransfereeUniqueid: str(x.transferee_channel_uniqueid),
          TransferTargetChannel: str(x.transfer_target_channel_name),
          TransferTargetUniqueid: str(x.transfer_target_channel_uniqueid),
          TransferTargetCallerIDNum: chans.get(str(x.transfer_target_channel_uniqueid))?.rows[0]?.cid_num ?? "",
          DestType: x.app ? "App" : "Bridge",
        });
        break;
      }
      case "APP_START": {
        if (r === rec.row) push(at, { Event: "VarSet", ...channelFields(r, c), Variable: "MIXMONITOR_FILENAME", Value: rec.file });
        break;
      }
      case "PARK_START":
        parkedNow.add(c.uid);
        push(at, { Event: "ParkedCall", ...prefixed("Parkee", r) });
        break;
      case "PARK_END": {
        parkedNow.delete(c.uid);
        if (parkEndsDone.has(r)) break;
        const reason = parkEndReason(r);
        if (reason) push(at, { Event: reason, ...prefixed("Parkee", r) });
        else unparked(c, r, at);
        break;
      }
      case "PICKUP": {
        // The row is the ringing leg's (the target); `pickup_channel` names the picker.
        const pickerName = str(parseExtra(r.extra).pickup_channel);
        const picker = [...chans.values()].find((o) => o.name === pickerName);
        if (!picker) {
          skipped++;
          break;
        }
        push(at, { Event: "Pickup", ...channelFields(lastRowOf(picker, at), picker), ...prefixed("Target", r) });
        break;
      }
      default:
        if (!IGNORED.has(r.eventtype)) skipped++;
    }
  }
  // Channels whose rows stop without HANGUP/CHAN_END (rows lost, period cut): end them with the call.
  const last = rows.length > 0 ? rows[rows.length - 1]!.eventtime.getTime() : at0;
  for (const c of chans.values()) {
    if (!c.ended && c.started) push(last, { Event: "Hangup", ...channelFields(c.rows[c.rows.length - 1]!, c), Cause: "" });
  }
  return { events, recordingFile: rec.file, skipped };

  function start(c: Chan, r: CelRow, at: number): void {
    c.started = true;
    c.startedAt = at;
    const state = c.origin === "incoming" ? "4" : "0";
    push(at, { Event: "Newchannel", ...channelFields(r, c), ChannelState: state, ChannelStateDesc: state === "4" ? "Ring" : "Down" });
    if (!rootDone) {
      rootDone = true;
      if (did) push(at, { Event: "VarSet", ...channelFields(r, c), Variable: "FROM_DID", Value: did });
      if (rec.file && !rec.row) push(at, { Event: "VarSet", ...channelFields(r, c), Variable: "MIXMONITOR_FILENAME", Value: rec.file });
    }
    if (c.origin === "originated") {
      push(at, { Event: "DialBegin", ...destFields(r), DialString: r.exten });
      return;
    }
    if (c.origin !== "dialed") return;
    const dialer = pickDialer(c);
    c.dialer = dialer;
    if (!dialer) {
      push(at, { Event: "Newstate", ...channelFields(r, c), ChannelState: "5", ChannelStateDesc: "Ringing" });
      return;
    }
    const dialRow = dialRowOf(dialer, at);
    const dialerNow = lastRowOf(dialer, at);
    if (c.queueLeg) {
      const queueRow = dialer.rows.find((x) => x.appname === "Queue");
      const queue = queueRow ? firstArg(queueRow.appdata) : "";
      const via = c.rows.find((x) => x.appname === "AppQueue" && x.exten && x.exten !== "s")?.exten ?? dialRow?.exten ?? "";
      if (queue) push(at, { Event: "AgentCalled", ...channelFields(dialerNow, dialer), ...destFields(r), Queue: queue, Exten: via });
    }
    push(at, {
      Event: "DialBegin",
      ...channelFields(dialerNow, dialer),
      Exten: dialRow?.exten ?? dialerNow.exten,
      ...destFields(r),
      DialString: dialRow ? firstArg(dialRow.appdata) : "",
    });
  }

  function answer(c: Chan, r: CelRow, at: number): void {
    if (c.answered || c.ended) return;
    c.answered = true;
    push(at, { Event: "Newstate", ...channelFields(r, c), ChannelState: "6", ChannelStateDesc: "Up" });
    if (c.origin === "dialed" && c.dialer) push(at, { Event: "DialEnd", ...channelFields(lastRowOf(c.dialer, at), c.dialer), ...destFields(r), DialStatus: "ANSWER" });
    else if (c.origin === "originated") {
      push(at, { Event: "DialEnd", ...destFields(r), DialStatus: "ANSWER" });
      events.push(originateResponse(c, r, "Success", 4));
    }
  }

  function pickDialer(c: Chan): Chan | undefined {
    // A peer that names this channel in its BRIDGE_ENTER is the surest hint.
    let best: Chan | undefined;
    for (const o of chans.values()) {
      if (o === c || !o.started || o.ended || o.bridge) continue;
      const canDial = o.origin === "incoming" || o.origin === "originated" || o.isLocal2 || o.answered;
      if (!canDial) continue;
      if (o.rows.some((x) => x.eventtype === "BRIDGE_ENTER" && x.peer === c.name)) return o;
      if (!best || o.startedAt >= best.startedAt) best = o;
    }
    return best;
  }

  function unansweredStatus(c: Chan, cause: number, at: number): string {
    const byCause = statusForCause(cause);
    if (byCause) return byCause;
    const d = c.dialer!;
    if (chansAnsweredBy(c)) return "CANCEL";
    const hang = d.rows.find((x) => x.eventtype === "HANGUP" && x.eventtime.getTime() >= at);
    const ds = hang ? str(parseExtra(hang.extra).dialstatus) : "";
    const dialerGone = hang !== undefined && hang.eventtime.getTime() - at < 1000;
    if (dialerGone && ds && ds !== "ANSWER") return ds;
    return dialerGone ? "CANCEL" : "NOANSWER";
  }

  /** UnParkedCall for `c`'s PARK_END row; the retriever is the channel bridged with the parkee. */
  function unparked(c: Chan, end: CelRow, at: number): void {
    parkedNow.delete(c.uid);
    const t = end.eventtime.getTime();
    const retriever = bridgedWith(c, t);
    push(at, { Event: "UnParkedCall", ...prefixed("Parkee", end), ...(retriever ? prefixed("Retriever", lastRowOf(retriever, t), retriever) : {}) });
  }

  /**
   * The channel that entered the two-party bridge `c` is in at `at` (at or before it): the
   * retriever of a parked call. Asterisk 22 writes both BRIDGE_ENTERs before PARK_END.
   */
  function bridgedWith(c: Chan, at: number): Chan | undefined {
    let bridge = "";
    for (const x of c.rows) {
      if (x.eventtime.getTime() > at) break;
      if (x.eventtype === "BRIDGE_ENTER") bridge = str(parseExtra(x.extra).bridge_id);
      else if (x.eventtype === "BRIDGE_EXIT") bridge = "";
    }
    if (!bridge) return undefined;
    for (const o of chans.values()) {
      if (o === c) continue;
      if (o.rows.some((x) => x.eventtype === "BRIDGE_ENTER" && x.eventtime.getTime() <= at + 1000 && str(parseExtra(x.extra).bridge_id) === bridge)) return o;
    }
    return undefined;
  }

  /** Another leg of the same dialler was answered (ringall: the others are cancelled). */
  function chansAnsweredBy(c: Chan): boolean {
    for (const o of chans.values()) if (o !== c && o.dialer === c.dialer && o.answered) return true;
    return false;
  }
}

/** OriginateResponse Reason (AST_CONTROL_*) for the hangup cause of a leg that never answered. */
const ORIGINATE_REASON_BY_CAUSE: Record<number, number> = { 17: 5, 18: 3, 19: 3, 21: 5, 34: 8, 38: 8, 41: 8, 42: 8 };

/**
 * The OriginateResponse the connector would have received: Success when the originated leg
 * answered, Failure with the reason when it did not. The number the CRM dialled (Originate Exten)
 * is not in CEL; FreePBX-style click-to-call shows it on the phone as the caller ID, so a caller
 * ID the leg took after it started is that number.
 */
function originateResponse(c: Chan, r: CelRow, response: string, reason: number): { at: number; message: AmiMessage } {
  const own = c.rows[0]!.cid_num;
  const target = c.rows.find((x) => x.cid_num && x.cid_num !== own && x.eventtime.getTime() <= r.eventtime.getTime())?.cid_num ?? "";
  const dash = c.name.lastIndexOf("-");
  return {
    at: r.eventtime.getTime(),
    message: new CelEvent({
      Event: "OriginateResponse",
      Response: response,
      Channel: dash > 0 ? c.name.slice(0, dash) : c.name,
      Uniqueid: c.uid,
      Exten: target,
      Reason: String(reason),
      CallerIDNum: target,
    }),
  };
}

function originOf(c: Chan): Origin {
  let dialedApp = false;
  for (const r of c.rows) {
    if (r.appname === "AppDial2") return "originated";
    if (r.appname === "AppDial" || r.appname === "AppQueue") dialedApp = true;
  }
  const first = c.rows[0]!;
  if (c.rows.some((r) => r.appname === "AppQueue")) c.queueLeg = true;
  if (dialedApp) return "dialed";
  if (c.isLocal2) return "incoming";
  return first.uniqueid === first.linkedid ? "incoming" : "dialed";
}

/** The channel's row at or just before `at` (its state then), else its first row. */
function lastRowOf(c: Chan, at: number): CelRow {
  let best = c.rows[0]!;
  for (const r of c.rows) {
    if (r.eventtime.getTime() > at) break;
    best = r;
  }
  return best;
}

/** The dialler's row that shows it running Dial/Queue (the first one from `at` on), else undefined. */
function dialRowOf(c: Chan, at: number): CelRow | undefined {
  let before: CelRow | undefined;
  for (const r of c.rows) {
    if (r.appname !== "Dial" && r.appname !== "Queue") continue;
    if (r.eventtime.getTime() >= at) return r;
    before = r;
  }
  return before;
}

function channelFields(r: CelRow, c: { name: string; uid: string }): Record<string, string> {
  return {
    Channel: r.channame || c.name,
    Uniqueid: c.uid,
    Linkedid: r.linkedid,
    Context: r.context,
    Exten: r.exten,
    CallerIDNum: r.cid_num,
    CallerIDName: r.cid_name,
  };
}

function destFields(r: CelRow): Record<string, string> {
  return {
    DestChannel: r.channame,
    DestUniqueid: r.uniqueid,
    DestLinkedid: r.linkedid,
    DestContext: r.context,
    DestExten: r.exten,
    DestCallerIDNum: r.cid_num,
    DestCallerIDName: r.cid_name,
  };
}

/** Channel fields under a prefix (Transferer…, OrigTransferer…, Parkee…), without the linkedid. */
function prefixed(prefix: string, r: CelRow, c?: { name: string; uid: string }): Record<string, string> {
  return {
    [`${prefix}Channel`]: r.channame || (c?.name ?? ""),
    [`${prefix}Uniqueid`]: c?.uid ?? r.uniqueid,
    [`${prefix}Context`]: r.context,
    [`${prefix}Exten`]: r.exten,
    [`${prefix}CallerIDNum`]: r.cid_num,
  };
}
