/** What the licence counts. */
export type UsageKind = "operators" | "pbxes" | "portals";

/**
 * Remembers, per kind, the distinct ids in the order they were first seen. The first N (N = the
 * licensed limit) are served. Persisting it keeps the served set stable across restarts; the
 * connector supplies a persistent implementation (Redis/DB) later.
 */
export interface UsageStore {
  load(kind: UsageKind): string[];
  save(kind: UsageKind, ordered: readonly string[]): void;
}

export class MemoryUsageStore implements UsageStore {
  private readonly lists = new Map<UsageKind, string[]>();
  constructor(initial: Partial<Record<UsageKind, string[]>> = {}) {
    for (const [kind, list] of Object.entries(initial) as [UsageKind, string[]][]) this.lists.set(kind, [...list]);
  }
  load(kind: UsageKind): string[] {
    return [...(this.lists.get(kind) ?? [])];
  }
  save(kind: UsageKind, ordered: readonly string[]): void {
    this.lists.set(kind, [...ordered]);
  }
}
