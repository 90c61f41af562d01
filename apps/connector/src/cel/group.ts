/**
 * CEL rows in time order → the rows of each call, as soon as the call is over. One pass, memory
 * bounded by the calls open at the same time (never the whole period).
 *
 * A call is every row connected through linkedid, uniqueid, channel name, bridge and the channels a
 * transfer or pickup names: when Asterisk bridges two calls (attended transfer, pickup, parked
 * call retrieved…) the newer call's channels take the older linkedid, so their rows carry two
 * linkedids — and Asterisk 22 may write them seconds apart (the old linkedid's LINKEDID_END comes
 * while the moved channel still talks; its next row, under the client's linkedid, comes at its
 * hangup). A client entering the bridge a channel of another group is in, an ATTENDEDTRANSFER /
 * BLINDTRANSFER naming another group's channels, a PICKUP naming the picker: the groups are
 * joined at once. Holding bridges (parking lots, music on hold) and conferences (softmix) join
 * nothing: unrelated calls share them. A call belongs to the period when its first
 * channel (uniqueid = linkedid) starts in [from, to); its rows are read past `to` until it ends —
 * with the channels that start after `to` and join it — so a call straddling the boundary is
 * complete. Calls that started before `from` are not
 * yielded (the previous period's run had them whole).
 *
 * A call is over when every channel that ever joined it ended (CHAN_END), across linkedid merges;
 * only when the rows show no channel life cycle at all (CHAN_START/CHAN_END not recorded) does
 * every linkedid's LINKEDID_END end it. It is yielded after `graceMs` of later rows (the rows Asterisk writes in the
 * same instant). A call with no row for `maxCallMs` is yielded as it is (rows lost). When the
 * rows run out, calls whose last row is newer than `inProgressMs` before `now` are still in
 * progress and not yielded (the next run gets them).
 */
import type { CelRow } from "./rows.js";

export interface GroupOptions {
  from: Date;
  to: Date;
  /** Default 2 s. */
  graceMs?: number;
  /** Default 12 h (the tracker's staleCallMs). */
  maxCallMs?: number;
  /** Default 10 min. */
  inProgressMs?: number;
  /** Epoch ms "now" (default Date.now()). */
  now?: number;
}

export interface GroupedCall {
  linkedid: string;
  cel: CelRow[];
}

interface Group {
  key: string;
  startAt: number;
  lastAt: number;
  /** Started before `from` (or joined such a call): tracked only to be dropped. */
  partial: boolean;
  /** Started at or after `to`: yielded only as part of a call of the period it joins. */
  late: boolean;
  rows: CelRow[];
  linkedids: Set<string>;
  uniqueids: Set<string>;
  linkedidEnded: Set<string>;
  /** Channels (uniqueids) that started and have not ended yet. */
  live: Set<string>;
  /** Names (without `<ZOMBIE>`) of its channels still up, and its two-party bridges, for joins. */
  names: Set<string>;
  bridges: Set<string>;
  sawChannels: boolean;
  doneAt: number;
  finished: boolean;
}

function allEnded(g: Group): boolean {
  for (const l of g.linkedids) if (!g.linkedidEnded.has(l)) return false;
  return true;
}

/** A call of the period (yielded when over). */
const isOwn = (g: Group) => !g.partial && !g.late;

/** Over: every channel that joined ended; without channel life-cycle rows, every linkedid ended. */
function isDone(g: Group): boolean {
  return g.sawChannels ? g.live.size === 0 : g.linkedidEnded.size > 0 && allEnded(g);
}

const ZOMBIE = "<ZOMBIE>";
const baseName = (name: string) => (name.endsWith(ZOMBIE) ? name.slice(0, -ZOMBIE.length) : name);

/** Bridge technologies shared by unrelated calls (parking lots, music on hold, conferences). */
const SHARED_BRIDGES = new Set(["holding_bridge", "softmix"]);

const extraCache = { text: "", value: {} as Record<string, unknown> };
function extraOf(r: CelRow): Record<string, unknown> {
  if (!r.extra || r.extra.charCodeAt(0) !== 123) return {};
  if (extraCache.text === r.extra) return extraCache.value;
  let v: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(r.extra);
    if (parsed && typeof parsed === "object") v = parsed as Record<string, unknown>;
  } catch {
    v = {};
  }
  extraCache.text = r.extra;
  extraCache.value = v;
  return v;
}
const text = (v: unknown) => (typeof v === "string" ? v : "");

/** What a row says links it to other channels: uniqueids, channel names, a two-party bridge. */
function linksOf(r: CelRow): { uniqueids: string[]; names: string[]; bridge: string } {
  switch (r.eventtype) {
    case "BRIDGE_ENTER":
    case "BRIDGE_EXIT": {
      const x = extraOf(r);
      const bridge = SHARED_BRIDGES.has(text(x.bridge_technology)) ? "" : text(x.bridge_id);
      return { uniqueids: [], names: [], bridge };
    }
    case "ATTENDEDTRANSFER": {
      const x = extraOf(r);
      return {
        uniqueids: [text(x.channel2_uniqueid), text(x.transferee_channel_uniqueid), text(x.transfer_target_channel_uniqueid)].filter(Boolean),
        names: [],
        bridge: "",
      };
    }
    case "BLINDTRANSFER": {
      const x = extraOf(r);
      return { uniqueids: [text(x.transferee_channel_uniqueid)].filter(Boolean), names: [], bridge: "" };
    }
    case "PICKUP": {
      const x = extraOf(r);
      return { uniqueids: [], names: [text(x.pickup_channel)].filter(Boolean).map(baseName), bridge: "" };
    }
    default:
      return NO_LINKS;
  }
}
const NO_LINKS = { uniqueids: [] as string[], names: [] as string[], bridge: "" };

const byTime = (a: CelRow, b: CelRow) => a.eventtime.getTime() - b.eventtime.getTime() || (a.id ?? 0) - (b.id ?? 0);

export async function* groupCalls(rows: AsyncIterable<CelRow>, opts: GroupOptions): AsyncIterable<GroupedCall> {
  const fromMs = opts.from.getTime();
  const toMs = opts.to.getTime();
  const grace = opts.graceMs ?? 2000;
  const maxCall = opts.maxCallMs ?? 12 * 3600_000;
  const inProgress = opts.inProgressMs ?? 10 * 60_000;
  const now = opts.now ?? Date.now();
  const byLinkedid = new Map<string, Group>();
  const byUniqueid = new Map<string, Group>();
  const byName = new Map<string, Group>();
  const byBridge = new Map<string, Group>();
  const open = new Set<Group>();
  const pending = new Set<Group>();
  let ownOpen = 0;
  let lastStaleCheck = 0;
  /** No pending call is due before this (a lower bound: a call may have left `pending` since). */
  let nextDue = Infinity;

  const finish = (g: Group): GroupedCall | undefined => {
    if (g.finished) return undefined;
    g.finished = true;
    open.delete(g);
    pending.delete(g);
    for (const l of g.linkedids) if (byLinkedid.get(l) === g) byLinkedid.delete(l);
    for (const u of g.uniqueids) if (byUniqueid.get(u) === g) byUniqueid.delete(u);
    for (const n of g.names) if (byName.get(n) === g) byName.delete(n);
    for (const b of g.bridges) if (byBridge.get(b) === g) byBridge.delete(b);
    if (!isOwn(g)) return undefined;
    ownOpen--;
    return { linkedid: g.key, cel: g.rows };
  };

  const join = (a: Group, b: Group): Group => {
    if (a === b) return a;
    const [keep, gone] = a.startAt <= b.startAt ? [a, b] : [b, a];
    // Two own calls become one; an own call that joins one from before `from` is dropped with it;
    // channels that started after `to` belong to the own call they join.
    const ownBefore = Number(isOwn(a)) + Number(isOwn(b));
    if (!keep.partial && !gone.partial) keep.rows = keep.rows.concat(gone.rows).sort(byTime);
    else {
      keep.partial = true;
      keep.rows = [];
    }
    keep.late = keep.late && gone.late;
    ownOpen += Number(isOwn(keep)) - ownBefore;
    moveKeys(gone.linkedids, keep.linkedids, byLinkedid, keep);
    moveKeys(gone.uniqueids, keep.uniqueids, byUniqueid, keep);
    moveKeys(gone.names, keep.names, byName, keep);
    moveKeys(gone.bridges, keep.bridges, byBridge, keep);
    for (const l of gone.linkedidEnded) keep.linkedidEnded.add(l);
    for (const u of gone.live) keep.live.add(u);
    keep.sawChannels ||= gone.sawChannels;
    keep.lastAt = Math.max(keep.lastAt, gone.lastAt);
    gone.finished = true;
    open.delete(gone);
    pending.delete(gone);
    return keep;
  };

  for await (const r of rows) {
    const t = r.eventtime.getTime();
    if (t < fromMs) continue;
    if (nextDue < t) {
      nextDue = Infinity;
      for (const g of pending) {
        if (g.doneAt + grace < t) {
          const out = finish(g);
          if (out) yield out;
        } else nextDue = Math.min(nextDue, g.doneAt + grace);
      }
    }
    if (t - lastStaleCheck > 60_000) {
      lastStaleCheck = t;
      for (const g of open) {
        if (g.lastAt + maxCall < t) {
          const out = finish(g);
          if (out) yield out;
        }
      }
    }
    if (t >= toMs && ownOpen === 0) break;

    const links = linksOf(r);
    const name = baseName(r.channame);
    let g = byLinkedid.get(r.linkedid);
    for (const other of [
      byUniqueid.get(r.uniqueid),
      links.bridge ? byBridge.get(links.bridge) : undefined,
      ...links.uniqueids.map((u) => byUniqueid.get(u)),
      ...links.names.map((n) => byName.get(n)),
    ]) {
      if (other && !other.finished) g = g && g !== other ? join(g, other) : other;
    }
    if (!g) {
      // After `to`, a new channel may still be a consultation, a picker or a retriever that joins
      // a call of the period: tracked (late), yielded only within the call it joins.
      const late = t >= toMs;
      const root = r.eventtype === "CHAN_START" && r.uniqueid === r.linkedid;
      g = {
        key: r.linkedid,
        startAt: t,
        lastAt: t,
        partial: !root,
        late,
        rows: [],
        linkedids: new Set(),
        uniqueids: new Set(),
        linkedidEnded: new Set(),
        live: new Set(),
        names: new Set(),
        bridges: new Set(),
        sawChannels: false,
        doneAt: 0,
        finished: false,
      };
      open.add(g);
      if (isOwn(g)) ownOpen++;
    }
    if (!g.linkedids.has(r.linkedid)) {
      g.linkedids.add(r.linkedid);
      byLinkedid.set(r.linkedid, g);
    }
    if (!g.uniqueids.has(r.uniqueid)) {
      g.uniqueids.add(r.uniqueid);
      byUniqueid.set(r.uniqueid, g);
    }
    // Names are looked up only for a PICKUP's picker, and only while the channel is up (a name
    // comes back after an Asterisk restart).
    if (name && r.eventtype !== "CHAN_END" && !g.names.has(name)) {
      g.names.add(name);
      byName.set(name, g);
    }
    if (links.bridge && !g.bridges.has(links.bridge)) {
      g.bridges.add(links.bridge);
      byBridge.set(links.bridge, g);
    }
    if (!g.partial) g.rows.push(r);
    g.lastAt = t;
    if (r.eventtype === "CHAN_START") {
      g.live.add(r.uniqueid);
      g.sawChannels = true;
    } else if (r.eventtype === "CHAN_END") {
      g.live.delete(r.uniqueid);
      g.sawChannels = true;
      if (name && byName.get(name) === g) byName.delete(name);
      g.names.delete(name);
    } else if (r.eventtype === "LINKEDID_END") g.linkedidEnded.add(r.linkedid);
    if (isDone(g)) {
      g.doneAt = t;
      pending.add(g);
      nextDue = Math.min(nextDue, t + grace);
    } else if (g.doneAt) {
      g.doneAt = 0;
      pending.delete(g);
    }
  }
  for (const g of [...open]) {
    if (!isOwn(g)) continue;
    if (!pending.has(g) && g.lastAt + inProgress > now) continue;
    const out = finish(g);
    if (out) yield out;
  }
}

/** A merged group's keys (linkedids, uniqueids, names, bridges) become the surviving group's, in its set and its index. */
function moveKeys<G>(from: Iterable<string>, into: Set<string>, index: Map<string, G>, group: G): void {
  for (const key of from) {
    into.add(key);
    index.set(key, group);
  }
}
