import type { Redis } from "ioredis";

/**
 * How many calls nobody owned (no rule gave them a Bitrix24 user) and where they went, counted in
 * Redis so a restart does not reset them: `credential_user` (landed on the credential's user),
 * `default_user` (landed on `responsible.defaultUserId` / a line default), `not_landed` (no
 * fallback allowed: not registered). Each call counts once, whatever stage retries happen.
 */
export type UnownedOutcome = "credential_user" | "default_user" | "not_landed";
export const UNOWNED_OUTCOMES: readonly UnownedOutcome[] = ["credential_user", "default_user", "not_landed"];

export type UnownedCounts = Record<UnownedOutcome, number>;

/** How long a call is remembered as counted (a stage retried later than this would count again). */
const SEEN_TTL_S = 30 * 86400;

// KEYS[1] per-call marker, KEYS[2] counts hash; ARGV[1] field, ARGV[2] marker TTL.
const COUNT_ONCE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  return redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
end
return -1`;

export class UnownedStats {
  readonly #counts: string;
  /** The last counts read or written (what /metrics renders without waiting for Redis). */
  #last: UnownedCounts = { credential_user: 0, default_user: 0, not_landed: 0 };

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.#counts = `${prefix}:unowned:counts`;
  }

  /** Counts `callKey` under `outcome` once (false: it was counted before). */
  async count(callKey: string, outcome: UnownedOutcome): Promise<boolean> {
    const n = (await this.redis.eval(COUNT_ONCE, 2, `${this.prefix}:unowned:seen:${callKey}`, this.#counts, outcome, SEEN_TTL_S)) as number;
    if (n < 0) return false;
    this.#last = { ...this.#last, [outcome]: n };
    return true;
  }

  /** The counts as Redis holds them. */
  async counts(): Promise<UnownedCounts> {
    const raw = await this.redis.hgetall(this.#counts);
    const out = { credential_user: 0, default_user: 0, not_landed: 0 };
    for (const o of UNOWNED_OUTCOMES) out[o] = Number(raw[o] ?? 0) || 0;
    this.#last = out;
    return out;
  }

  /** The last counts seen (refreshed by `counts()` and every `count()`). */
  get last(): UnownedCounts {
    return this.#last;
  }
}
