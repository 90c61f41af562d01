/**
 * Coalesces commands from all calls into batches of at most `maxCommands` (50, Bitrix24's batch
 * limit). A batch is flushed when full or `windowMs` after its first entry. An entry is one call()
 * (one command) or one chain() (commands that must travel in the same batch because later ones refer
 * to earlier ones with `$result[name]`); an entry is never split. Keys are renamed per entry
 * (`e3_reg`) so chains from different calls cannot collide, and their references follow.
 */
import { randomUUID } from "node:crypto";
import { renameRefs } from "./batch-refs.js";

export const MAX_BATCH_COMMANDS = 50;

export interface ChainCommand {
  /** Unique inside the chain; later commands refer to it as `$result[name]`. */
  name: string;
  method: string;
  params?: Record<string, unknown>;
}

export interface Entry {
  /** Idempotency key of this submission (deterministic if the caller wants to resume after a restart). */
  id: string;
  commands: ChainCommand[];
}

export interface BatchCommand {
  key: string;
  entryId: string;
  name: string;
  method: string;
  params: Record<string, unknown>;
}

export interface BatchPayload {
  id: string;
  portal: string;
  createdAt: number;
  commands: BatchCommand[];
}

export interface BatcherOptions {
  portal: string;
  maxCommands?: number;
  windowMs?: number;
  /**
   * Backpressure: false while enough batches are already waiting for the rate limit. A window
   * that ends then is extended (up to `maxHoldMs` after the first entry), so commands keep
   * coalescing into one full batch instead of queueing many small ones behind the limit.
   */
  ready?: () => boolean;
  maxHoldMs?: number;
  onFlush: (batch: BatchPayload, entries: Entry[]) => void;
}

export function validateEntry(e: Entry, max = MAX_BATCH_COMMANDS): void {
  if (e.commands.length === 0) throw new RangeError("empty chain");
  if (e.commands.length > max) throw new RangeError(`a chain of ${e.commands.length} commands does not fit one batch of ${max}`);
  const names = new Set<string>();
  for (const c of e.commands) {
    if (!/^[A-Za-z0-9_.-]+$/.test(c.name)) throw new TypeError(`bad command name ${JSON.stringify(c.name)}`);
    if (names.has(c.name)) throw new TypeError(`duplicate command name ${c.name}`);
    names.add(c.name);
  }
}

/** Builds one batch payload from entries (exported for the queue's re-submission and tests). */
export function buildBatch(portal: string, entries: Entry[], id: string = randomUUID()): BatchPayload {
  const commands: BatchCommand[] = [];
  entries.forEach((e, i) => {
    const rename = new Map(e.commands.map((c) => [c.name, `e${i}_${c.name}`]));
    for (const c of e.commands) commands.push({ key: rename.get(c.name)!, entryId: e.id, name: c.name, method: c.method, params: renameRefs(c.params ?? {}, rename) });
  });
  return { id, portal, createdAt: Date.now(), commands };
}

export class Batcher {
  private pending: Entry[] = [];
  private count = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly max: number;
  private readonly windowMs: number;
  private firstAt = 0;

  constructor(private readonly opts: BatcherOptions) {
    this.max = Math.min(MAX_BATCH_COMMANDS, opts.maxCommands ?? MAX_BATCH_COMMANDS);
    this.windowMs = opts.windowMs ?? 10;
  }

  add(entry: Entry): void {
    validateEntry(entry, this.max);
    if (this.count + entry.commands.length > this.max) this.flush();
    if (this.pending.length === 0) this.firstAt = Date.now();
    this.pending.push(entry);
    this.count += entry.commands.length;
    if (this.count >= this.max) this.flush();
    else this.timer ??= setTimeout(() => this.windowEnded(), this.windowMs);
  }

  /** Window over: flush, unless the queue says wait (then hold, bounded by maxHoldMs). */
  private windowEnded(): void {
    this.timer = undefined;
    const held = Date.now() - this.firstAt;
    if (this.opts.ready && !this.opts.ready() && held < (this.opts.maxHoldMs ?? 2000)) {
      this.timer = setTimeout(() => this.windowEnded(), this.windowMs);
      return;
    }
    this.flush();
  }

  /** The queue has room again: a held batch goes now. */
  poke(): void {
    if (this.pending.length > 0 && this.timer && (!this.opts.ready || this.opts.ready())) this.flush();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const entries = this.pending;
    this.pending = [];
    this.count = 0;
    this.opts.onFlush(buildBatch(this.opts.portal, entries), entries);
  }

  get size(): number {
    return this.count;
  }
}
