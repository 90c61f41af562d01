import { randomBytes } from "node:crypto";

/**
 * ActionIDs: a per-client session prefix plus a monotonic counter (`ab24-3f9c1a2e-17`).
 * Unique for the life of the process even across reconnects, so a late reply from an old
 * connection can never be matched to a new action (unlike Date.now()-based IDs, which collide
 * when two actions are sent in the same millisecond).
 */
export class ActionIdGenerator {
  readonly prefix: string;
  #counter = 0;

  constructor(prefix?: string) {
    this.prefix = `${prefix ?? "ab24"}-${randomBytes(4).toString("hex")}-`;
  }

  next(): string {
    return this.prefix + ++this.#counter;
  }

  /** True if the ID was produced by this generator. */
  owns(actionId: string | undefined): boolean {
    return actionId !== undefined && actionId.startsWith(this.prefix);
  }
}
