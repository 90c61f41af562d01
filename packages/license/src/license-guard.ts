import type { KeyObject } from "node:crypto";
import type { Clock } from "./clock.js";
import { systemClock } from "./clock.js";
import { DAY_MS, DEFAULT_GRACE_DAYS, PRODUCT } from "./constants.js";
import type { MachineFingerprint } from "./fingerprint.js";
import type { LicensePayload } from "./license-payload.js";
import { EVALUATION_LIMITS, type LicenseLimits } from "./limits.js";
import { messages, wholeDaysCeil } from "./messages.js";
import { MemoryUsageStore, type UsageKind, type UsageStore } from "./usage-store.js";
import { verifyLicense, type LicenseProblemKind, type LicenseVerification } from "./verify.js";

export type LicenseState = "valid" | "evaluation" | "warning" | "refusing_new_calls" | "invalid";

/** pino-compatible subset. */
export interface LicenseLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const silentLogger: LicenseLogger = { info() {}, warn() {}, error() {} };

export interface LicenseGuardOptions {
  publicKey: string | KeyObject;
  /** Hashed fingerprint of this machine (`computeFingerprint(systemFingerprintSources())`). */
  machine: MachineFingerprint;
  /** Running product version x.y.z. */
  version?: string;
  product?: string;
  clock?: Clock;
  /** Days after expiry during which everything keeps working with a warning. Default 14. */
  graceDays?: number;
  evaluationLimits?: LicenseLimits;
  usageStore?: UsageStore;
  logger?: LicenseLogger;
}

/** JSON-able snapshot for /status. Times are ISO strings. */
export interface LicenseStatus {
  state: LicenseState;
  message: string;
  acceptingNewCalls: boolean;
  /** Why the licence is not fully valid (expired, other_machine, …); null when valid or evaluating. */
  problem: LicenseProblemKind | null;
  licenseId: string | null;
  customer: string | null;
  /** What is enforced now (evaluation limits in evaluation mode); null when invalid. */
  limits: LicenseLimits | null;
  features: string[];
  usage: { operators: number; pbxes: number; portals: number; inFlightCalls: number };
  /** True when more distinct operators/PBXes/portals were seen than allowed. */
  overLimit: boolean;
  overLimitOperators: string[];
  overLimitPbxes: string[];
  overLimitPortals: string[];
  issuedAt: string | null;
  expiresAt: string | null;
  /** Whole days until expiry; negative = days since expiry; null = no expiry or no licence. */
  daysLeft: number | null;
  graceDays: number;
  graceEndsAt: string | null;
  checkedAt: string;
}

interface Evaluation {
  state: LicenseState;
  message: string;
  problem: LicenseProblemKind | null;
  license: LicensePayload | null;
  limits: LicenseLimits | null;
}

/**
 * Decides, from the licence and the clock, what the connector may do. Pure logic: the caller reads
 * the licence file, supplies the machine fingerprint, and calls `load` at start and `refresh` daily.
 */
export class LicenseGuard {
  private readonly clock: Clock;
  private readonly graceDays: number;
  private readonly evaluationLimits: LicenseLimits;
  private readonly store: UsageStore;
  private readonly log: LicenseLogger;
  private token: string | undefined;
  private current: Evaluation;
  private checkedAt: number;
  private readonly seen = new Map<UsageKind, string[]>();
  private readonly refusedLogged = new Map<UsageKind, Set<string>>();
  private readonly inFlight = new Set<string>();

  constructor(private readonly options: LicenseGuardOptions) {
    this.clock = options.clock ?? systemClock;
    this.graceDays = options.graceDays ?? DEFAULT_GRACE_DAYS;
    this.evaluationLimits = options.evaluationLimits ?? EVALUATION_LIMITS;
    this.store = options.usageStore ?? new MemoryUsageStore();
    this.log = options.logger ?? silentLogger;
    for (const kind of ["operators", "pbxes", "portals"] as const) {
      this.seen.set(kind, this.store.load(kind));
      this.refusedLogged.set(kind, new Set());
    }
    this.checkedAt = this.clock.now();
    this.current = { state: "invalid", message: "The licence has not been checked yet.", problem: null, license: null, limits: null };
  }

  /** Checks a licence (its file text, or undefined when there is no licence file). Call at start. */
  load(token: string | undefined): LicenseStatus {
    const next = token !== undefined && token.trim() ? token.trim() : undefined;
    // A different licence may change the limits: refused ids are logged again once under it.
    if (next !== this.token) for (const set of this.refusedLogged.values()) set.clear();
    this.token = next;
    return this.evaluate(true);
  }

  /** Re-checks the loaded licence against the clock. Call daily (and whenever the file changes: `load`). */
  refresh(): LicenseStatus {
    return this.evaluate(false);
  }

  get state(): LicenseState {
    return this.current.state;
  }

  /** False means: refuse to start and print `status().message`. */
  canStart(): boolean {
    return this.current.state !== "invalid";
  }

  canAcceptNewCall(): boolean {
    const s = this.current.state;
    return s === "valid" || s === "evaluation" || s === "warning";
  }

  /**
   * Registers a new call if new calls are accepted. Returns false (and does not register) otherwise.
   * Calls admitted earlier stay admitted whatever happens to the licence until `endCall`.
   */
  admitCall(callId: string): boolean {
    if (this.inFlight.has(callId)) return true;
    if (!this.canAcceptNewCall()) return false;
    this.inFlight.add(callId);
    return true;
  }

  /** True for a call admitted earlier and not ended: keep processing its events. */
  isCallInFlight(callId: string): boolean {
    return this.inFlight.has(callId);
  }

  endCall(callId: string): void {
    this.inFlight.delete(callId);
  }

  /** First N distinct operators ever seen are served; the others are refused (logged once each). */
  isOperatorAllowed(extension: string): boolean {
    return this.isAllowed("operators", extension);
  }

  isPbxAllowed(pbxId: string): boolean {
    return this.isAllowed("pbxes", pbxId);
  }

  isPortalAllowed(portal: string): boolean {
    return this.isAllowed("portals", portal);
  }

  hasFeature(name: string): boolean {
    const s = this.current.state;
    return (s === "valid" || s === "warning" || s === "refusing_new_calls") && !!this.current.license?.features.includes(name);
  }

  status(): LicenseStatus {
    const c = this.current;
    const license = c.license;
    const over = (kind: UsageKind): string[] => (c.limits ? this.list(kind).slice(c.limits[kind]) : []);
    const expiresAtMs = license?.exp !== undefined ? license.exp * 1000 : null;
    const status: LicenseStatus = {
      state: c.state,
      message: c.message,
      acceptingNewCalls: this.canAcceptNewCall(),
      problem: c.problem,
      licenseId: license?.licenseId ?? null,
      customer: license?.customer ?? null,
      limits: c.limits ? { ...c.limits } : null,
      features: c.state === "evaluation" || c.state === "invalid" ? [] : [...(license?.features ?? [])],
      usage: {
        operators: this.list("operators").length,
        pbxes: this.list("pbxes").length,
        portals: this.list("portals").length,
        inFlightCalls: this.inFlight.size,
      },
      overLimit: false,
      overLimitOperators: over("operators"),
      overLimitPbxes: over("pbxes"),
      overLimitPortals: over("portals"),
      issuedAt: license ? new Date(license.iat * 1000).toISOString() : null,
      expiresAt: expiresAtMs !== null ? new Date(expiresAtMs).toISOString() : null,
      daysLeft: expiresAtMs !== null ? daysLeft(expiresAtMs - this.checkedAt) : null,
      graceDays: this.graceDays,
      graceEndsAt: expiresAtMs !== null ? new Date(expiresAtMs + this.graceDays * DAY_MS).toISOString() : null,
      checkedAt: new Date(this.checkedAt).toISOString(),
    };
    status.overLimit = status.overLimitOperators.length + status.overLimitPbxes.length + status.overLimitPortals.length > 0;
    return status;
  }

  private list(kind: UsageKind): string[] {
    return this.seen.get(kind) ?? [];
  }

  private isAllowed(kind: UsageKind, id: string): boolean {
    const limits = this.current.limits;
    if (!limits) return false;
    const list = this.list(kind);
    let index = list.indexOf(id);
    if (index < 0) {
      list.push(id);
      this.store.save(kind, list);
      index = list.length - 1;
    }
    const limit = limits[kind];
    if (index < limit) return true;
    const logged = this.refusedLogged.get(kind)!;
    if (!logged.has(id)) {
      logged.add(id);
      const label = kind === "operators" ? "operator" : kind === "pbxes" ? "PBX" : "portal";
      this.log.warn(
        { event: "license.over_limit", kind, id, limit, served: list.slice(0, limit) },
        messages.overLimit(label, id, limit, list.slice(0, limit), this.current.state === "evaluation"),
      );
    }
    return false;
  }

  private evaluate(starting: boolean): LicenseStatus {
    const now = this.clock.now();
    this.checkedAt = now;
    const previous = this.current.state;
    this.current = this.token === undefined ? this.evaluation() : this.fromVerification(this.verify(this.token, now), now);
    const c = this.current;
    if (starting || c.state !== previous || c.state === "warning" || c.state === "refusing_new_calls") {
      const obj = { event: "license.state", state: c.state, problem: c.problem, licenseId: c.license?.licenseId ?? null };
      if (c.state === "valid") this.log.info(obj, c.message);
      else if (c.state === "evaluation" || c.state === "warning") this.log.warn(obj, c.message);
      else this.log.error(obj, c.message);
    }
    return this.status();
  }

  private verify(token: string, now: number): LicenseVerification {
    const o = this.options;
    return verifyLicense(token, {
      publicKey: o.publicKey,
      machine: o.machine,
      now,
      product: o.product ?? PRODUCT,
      ...(o.version !== undefined ? { version: o.version } : {}),
    });
  }

  private evaluation(): Evaluation {
    return {
      state: "evaluation",
      message: messages.evaluation(this.evaluationLimits),
      problem: null,
      license: null,
      limits: { ...this.evaluationLimits },
    };
  }

  private fromVerification(result: LicenseVerification, now: number): Evaluation {
    if (result.ok) {
      return { state: "valid", message: result.message, problem: null, license: result.license, limits: result.license.limits };
    }
    if (result.kind === "expired") {
      const license = result.license;
      const graceEndsAt = result.expiredAt + this.graceDays * DAY_MS;
      if (now < graceEndsAt) {
        return {
          state: "warning",
          message: messages.expiredInGrace(license, result.daysExpired, this.graceDays, graceEndsAt, wholeDaysCeil(graceEndsAt - now)),
          problem: "expired",
          license,
          limits: license.limits,
        };
      }
      return {
        state: "refusing_new_calls",
        message: messages.expiredGraceOver(license, result.daysExpired, this.graceDays, graceEndsAt),
        problem: "expired",
        license,
        limits: license.limits,
      };
    }
    return {
      state: "invalid",
      message: result.message,
      problem: result.kind,
      license: "license" in result ? result.license : null,
      limits: null,
    };
  }
}

function daysLeft(ms: number): number {
  return ms >= 0 ? wholeDaysCeil(ms) : -Math.max(1, wholeDaysCeil(-ms));
}
