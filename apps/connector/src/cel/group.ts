/**
 * CEL rows in time order → the rows of each call, as soon as the call is over. One pass, memory
 * bounded by the calls open at the same time (never the whole period).
 *
 * A call is every row connected through linkedid and uniqueid: when Asterisk bridges two calls
 * (attended transfer, pickup…) the newer call's channels take the older linkedid, so their rows
 * carry two linkedids; the two groups are joined. A call belongs to the period when its first
 * channel (uniqueid = linkedid) starts in [from, to); its rows are read past `to` until it ends,
 * so a call straddling the boundary is complete. Calls that started before `from` are not
 * yielded (the previous period's run had them whole).
 *
 * A call is over when all its channels ended (CHAN_START/CHAN_END) or every linkedid had its
 * LINKEDID_END; it is yielded after `graceMs` of later rows (the rows Asterisk writes in the
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
  rows: CelRow[];
  linkedids: Set<string>;
  uniqueids: Set<string>;
  linkedidEnded: Set<string>;
  live: number;
  sawChannels: boolean;
  doneAt: number;
  finished: boolean;
}

function allEnded(g: Group): boolean {
  for (const l of g.linkedids) if (!g.linkedidEnded.has(l)) return false;
  return true;
}

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
    if (g.partial) return undefined;
    ownOpen--;
    return { linkedid: g.key, cel: g.rows };
  };

  const join = (a: Group, b: Group): Group => {
    const [keep, gone] = a.startAt <= b.startAt ? [a, b] : [b, a];
    // Two own calls become one; an own call that joins one from before `from` is dropped with it.
    if (!gone.partial) ownOpen--;
    if (!keep.partial && !gone.partial) keep.rows = keep.rows.concat(gone.rows).sort(byTime);
    else if (!keep.partial) {
      keep.partial = true;
      keep.rows = [];
      ownOpen--;
    }
    for (const l of gone.linkedids) {
      keep.linkedids.add(l);
      byLinkedid.set(l, keep);
    }
    for (const u of gone.uniqueids) {
      keep.uniqueids.add(u);
      byUniqueid.set(u, keep);
    }
    for (const l of gone.linkedidEnded) keep.linkedidEnded.add(l);
    keep.live += gone.live;
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

    let g = byLinkedid.get(r.linkedid);
    const byUid = byUniqueid.get(r.uniqueid);
    if (g && byUid && g !== byUid) g = join(g, byUid);
    g ??= byUid;
    if (!g) {
      if (t >= toMs) continue;
      const root = r.eventtype === "CHAN_START" && r.uniqueid === r.linkedid;
      g = {
        key: r.linkedid,
        startAt: t,
        lastAt: t,
        partial: !root,
        rows: [],
        linkedids: new Set(),
        uniqueids: new Set(),
        linkedidEnded: new Set(),
        live: 0,
        sawChannels: false,
        doneAt: 0,
        finished: false,
      };
      open.add(g);
      if (root) ownOpen++;
    }
    if (!g.linkedids.has(r.linkedid)) {
      g.linkedids.add(r.linkedid);
      byLinkedid.set(r.linkedid, g);
    }
    if (!g.uniqueids.has(r.uniqueid)) {
      g.uniqueids.add(r.uniqueid);
      byUniqueid.set(r.uniqueid, g);
    }
    if (!g.partial) g.rows.push(r);
    g.lastAt = t;
    if (r.eventtype === "CHAN_START") {
      g.live++;
      g.sawChannels = true;
    } else if (r.eventtype === "CHAN_END") g.live--;
    else if (r.eventtype === "LINKEDID_END") g.linkedidEnded.add(r.linkedid);
    const done = (g.sawChannels && g.live <= 0) || (g.linkedidEnded.size > 0 && allEnded(g));
    if (done) {
      g.doneAt = t;
      pending.add(g);
      nextDue = Math.min(nextDue, t + grace);
    } else if (g.doneAt) {
      g.doneAt = 0;
      pending.delete(g);
    }
  }
  for (const g of [...open]) {
    if (g.partial) continue;
    if (!pending.has(g) && g.lastAt + inProgress > now) continue;
    const out = finish(g);
    if (out) yield out;
  }
}
