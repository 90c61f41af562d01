import { listAll, type B24Port } from "../crm/port.js";
import { digitsOf, phoneKey, type PhoneRules } from "./phone.js";

/**
 * Every active Bitrix24 user with their phone fields, held in memory so the call pipeline can
 * answer "which manager is extension 101 / mobile +7 916…" synchronously on every AMI event.
 *
 * - Loaded with `user.get` (FILTER ACTIVE=true, every page of 50).
 * - Indexed by `UF_PHONE_INNER` (exact, trimmed) and by every phone field (PERSONAL_MOBILE,
 *   WORK_PHONE, PERSONAL_PHONE, UF_PHONE_INNER) through a digits-only key, so users without an
 *   inner number are still found by their mobile (FMC: a call forwarded to a manager's mobile).
 * - Refreshed every `refreshIntervalMs`, and after a miss (`refreshOnMiss`) at most once per
 *   `missRefreshMinIntervalMs`. Refreshes are single-flight: concurrent callers share one load.
 * - A failed refresh keeps the previous snapshot.
 */

/** The user fields the cache reads (request them with `select`). */
export const USER_PHONE_FIELDS = ["UF_PHONE_INNER", "PERSONAL_MOBILE", "WORK_PHONE", "PERSONAL_PHONE"] as const;
export type UserPhoneField = (typeof USER_PHONE_FIELDS)[number];

export interface CachedUser {
  id: number;
  name: string;
  email?: string;
  position?: string;
  /** UF_PHONE_INNER as stored (trimmed), if any. */
  innerPhone?: string;
  /** Every non-empty phone field as stored. */
  phones: Partial<Record<UserPhoneField, string>>;
}

/** Shape of `/status`'s `users_cache` (same keys as Itgrix's). */
export interface UsersCacheSnapshot {
  /** ISO-8601 of the last successful load, null before the first one. */
  last_updated: string | null;
  users: number;
  /** Distinct phone keys indexed. */
  phones: number;
}

export interface UsersCacheOptions {
  port: B24Port;
  /** Periodic refresh; 0 disables the timer (default 15 min). */
  refreshIntervalMs?: number;
  /** Minimum gap between refreshes triggered by misses (default 60 s). */
  missRefreshMinIntervalMs?: number;
  /** Rules for the digits-only key of non-inner phone fields (default: Russian, see phone.ts). */
  phoneRules?: Partial<PhoneRules>;
  /** Page guard for user.get (default 1000 pages). */
  maxPages?: number;
  /** Clock (ms since epoch); tests inject one. */
  now?: () => number;
  /** Background refresh failures (timer or miss-triggered); the snapshot is kept. */
  onError?: (err: unknown) => void;
}

interface Index {
  users: Map<number, CachedUser>;
  byInner: Map<string, CachedUser>;
  byKey: Map<string, CachedUser>;
  loadedAt: number | null;
}

const EMPTY: Index = { users: new Map(), byInner: new Map(), byKey: new Map(), loadedAt: null };

interface RawUser {
  ID?: string | number;
  ACTIVE?: boolean | string;
  NAME?: string;
  LAST_NAME?: string;
  EMAIL?: string;
  WORK_POSITION?: string;
  [field: string]: unknown;
}

export class UsersCache {
  private index: Index = EMPTY;
  private inflight: Promise<void> | null = null;
  private lastMissRefreshAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(private readonly options: UsersCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** First load (rejects if it fails), then the periodic timer. */
  async start(): Promise<void> {
    await this.refresh();
    const every = this.options.refreshIntervalMs ?? 15 * 60_000;
    if (every > 0 && !this.timer) {
      this.timer = setInterval(() => void this.refresh().catch((err) => this.options.onError?.(err)), every);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Reloads all users. Single-flight: a refresh already running is shared, not repeated. */
  refresh(): Promise<void> {
    if (this.inflight) return this.inflight;
    this.inflight = this.load().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** True once a load succeeded (the snapshot then says who exists). */
  get loaded(): boolean {
    return this.index.loadedAt !== null;
  }

  /** True while a refresh is running. */
  get refreshing(): boolean {
    return this.inflight !== null;
  }

  /** User by UF_PHONE_INNER (exact after trimming). */
  byInnerPhone(inner: string): CachedUser | undefined {
    return this.index.byInner.get(inner.trim());
  }

  /** User by any phone field, compared by digits-only key (mobile, work, personal, inner). */
  byPhone(phone: string): CachedUser | undefined {
    const key = this.key(phone);
    return key === "" ? undefined : this.index.byKey.get(key);
  }

  /** Inner number first, then the other phone fields. */
  find(number: string): CachedUser | undefined {
    return this.byInnerPhone(number) ?? this.byPhone(number);
  }

  byId(id: number): CachedUser | undefined {
    return this.index.users.get(id);
  }

  /** Active user with this ID is in the snapshot. */
  isActive(id: number): boolean {
    return this.index.users.has(id);
  }

  /**
   * Sync lookup; on a miss, starts a background refresh if the last miss-refresh is older than
   * `missRefreshMinIntervalMs` (a new employee added during the day appears without a restart).
   */
  findOrScheduleRefresh(number: string): CachedUser | undefined {
    const user = this.find(number);
    if (!user) void this.refreshOnMiss().catch((err) => this.options.onError?.(err));
    return user;
  }

  /**
   * Lookup that, on a miss, waits for one (rate-limited, shared) refresh and looks again.
   * Use where a short wait is acceptable (register, finish), not on every AMI event.
   */
  async findFresh(number: string): Promise<CachedUser | undefined> {
    const user = this.find(number);
    if (user) return user;
    // Never loaded (Bitrix24 down or refusing us since the start): "no such user" cannot be
    // told yet. Load now, and let a failure reject so the caller retries later.
    if (!this.loaded) await this.refresh();
    else await this.refreshOnMiss();
    return this.find(number);
  }

  /** Refresh because of a miss: skipped if one ran less than `missRefreshMinIntervalMs` ago. */
  refreshOnMiss(): Promise<void> {
    if (this.inflight) return this.inflight;
    const gap = this.options.missRefreshMinIntervalMs ?? 60_000;
    const at = this.now();
    if (at - this.lastMissRefreshAt < gap) return Promise.resolve();
    this.lastMissRefreshAt = at;
    return this.refresh();
  }

  snapshot(): UsersCacheSnapshot {
    const { loadedAt, users, byKey } = this.index;
    return {
      last_updated: loadedAt === null ? null : new Date(loadedAt).toISOString(),
      users: users.size,
      phones: byKey.size,
    };
  }

  /** All cached users (a copy). */
  list(): CachedUser[] {
    return [...this.index.users.values()];
  }

  private key(phone: string): string {
    const trimmed = phone.trim();
    const key = phoneKey(trimmed, this.options.phoneRules);
    return key !== "" ? key : digitsOf(trimmed);
  }

  private async load(): Promise<void> {
    const rows = await listAll<RawUser>(
      this.options.port,
      "user.get",
      {
        FILTER: { ACTIVE: true },
        sort: "ID",
        order: "ASC",
      },
      { maxPages: this.options.maxPages ?? 1000 },
    );
    const users = new Map<number, CachedUser>();
    const byInner = new Map<string, CachedUser>();
    const byKey = new Map<string, CachedUser>();
    for (const row of rows) {
      const id = Number(row.ID);
      if (!Number.isInteger(id) || id <= 0) continue;
      if (row.ACTIVE === false || row.ACTIVE === "N" || row.ACTIVE === "false") continue;
      const phones: CachedUser["phones"] = {};
      for (const field of USER_PHONE_FIELDS) {
        const value = row[field];
        if (typeof value === "string" && value.trim() !== "") phones[field] = value.trim();
        else if (typeof value === "number") phones[field] = String(value);
      }
      const name = [row.NAME, row.LAST_NAME].filter((s) => typeof s === "string" && s !== "").join(" ");
      const user: CachedUser = { id, name, phones };
      if (phones.UF_PHONE_INNER) user.innerPhone = phones.UF_PHONE_INNER;
      if (typeof row.EMAIL === "string" && row.EMAIL) user.email = row.EMAIL;
      if (typeof row.WORK_POSITION === "string" && row.WORK_POSITION) user.position = row.WORK_POSITION;
      users.set(id, user);
      // First user wins on a shared number (sorted by ID: the oldest account keeps it).
      if (user.innerPhone && !byInner.has(user.innerPhone)) byInner.set(user.innerPhone, user);
    }
    // Keys by field priority: an inner number beats someone else's mobile with the same digits.
    for (const field of USER_PHONE_FIELDS) {
      for (const user of users.values()) {
        const value = user.phones[field];
        if (!value) continue;
        const key = this.key(value);
        if (key !== "" && !byKey.has(key)) byKey.set(key, user);
      }
    }
    this.index = { users, byInner, byKey, loadedAt: this.now() };
  }
}
