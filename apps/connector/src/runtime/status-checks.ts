import type { AmiClient } from "@asterisk-b24/ami";
import type { Autodistribution } from "../autodistribution/index.js";
import type { ClickToCallService } from "../click-to-call/index.js";
import type { ConnectorConfig } from "../config/index.js";
import type { B24Client } from "../crm/index.js";
import type { CredentialUser } from "../directory/credential-user.js";
import type { UsersCache } from "../directory/users-cache.js";
import type { HookRunner } from "../hooks/index.js";
import type { Metrics } from "../http/metrics.js";
import type { ComponentStatus, StatusRegistry } from "../http/status.js";
import type { Journal } from "../journal/index.js";
import type { ConnectorLicense } from "../license/connector-license.js";
import type { CallOutbox } from "../outbox/call-outbox.js";
import type { CallWorkerPool } from "../outbox/call-worker-pool.js";
import type { UnownedStats } from "../stages/unowned-stats.js";
import type { CrmHealth } from "./crm-health.js";
import { crmReachStatus } from "./crm-health.js";
import type { ReconcileSummary } from "./reconcile.js";
import type { RedisHealth } from "./redis-health.js";
import type { TrackerEngine } from "./tracker-engine.js";

/** What the /status sections read (the running connector's parts). */
export interface StatusSources {
  config: ConnectorConfig;
  ami: AmiClient;
  amiConnected: () => boolean;
  lastReconcile: () => ReconcileSummary | undefined;
  engine: TrackerEngine;
  outbox: CallOutbox;
  pool: CallWorkerPool;
  journal: Journal;
  b24: B24Client;
  users: UsersCache;
  hooks: HookRunner;
  license: ConnectorLicense;
  clickToCall: ClickToCallService | undefined;
  autodistribution: Autodistribution | undefined;
  fastAgiPort: () => number;
  redisHealth: RedisHealth;
  crmHealth: CrmHealth;
  credentialUser: Pick<CredentialUser, "stored">;
  unownedStats: Pick<UnownedStats, "counts" | "last">;
}

/** A PBX clock further off ours than this is a fault (call times in Bitrix24 are wrong). */
export const CLOCK_SKEW_WARNING_MS = 30_000;

/** The ami section: connection, and the PBX clock's skew (`clock_skew_ms`, null before a timestamped event). */
export function amiSection(connected: boolean, clockSkewMs: number | undefined, rest: Record<string, unknown>, warnAboveMs = CLOCK_SKEW_WARNING_MS): ComponentStatus {
  const problems: string[] = [];
  if (!connected) problems.push("not connected to Asterisk AMI");
  const skewed = clockSkewMs !== undefined && warnAboveMs > 0 && Math.abs(clockSkewMs) > warnAboveMs;
  if (skewed) problems.push(`the PBX clock is ${Math.round(clockSkewMs / 1000)} s off the connector's (check NTP on the PBX)`);
  return {
    health: !connected ? "Error" : skewed ? "Warning" : "Ok",
    ...(problems.length ? { problems } : {}),
    connected,
    clock_skew_ms: clockSkewMs ?? null,
    ...rest,
  };
}

/** Pending calls above this many make the calls section a warning. */
const PENDING_WARNING = 1000;

/** The /status sections (ami, calls, crm, customizer, click_to_call, autodistribution, license) and the active-calls gauge. */
export function registerStatusChecks(status: StatusRegistry, metrics: Metrics, s: StatusSources): void {
  status.register("redis", () => s.redisHealth.status());
  status.register("ami", () =>
    amiSection(
      s.amiConnected(),
      s.engine.pbxClockSkewMs,
      { host: `${s.config.ami.host}:${s.config.ami.port}`, stats: s.ami.stats, last_reconcile: s.lastReconcile() ?? null },
      s.config.ami.clockSkewWarningSec * 1000,
    ),
  );
  status.register(
    "calls",
    s.redisHealth.guard(async () => {
      const pending = await s.outbox.pendingCount();
      return {
        health: pending > PENDING_WARNING ? "Warning" : "Ok",
        ...(pending > PENDING_WARNING ? { problems: [`${pending} calls wait for Bitrix24`] } : {}),
        calls_storage: { calls: s.engine.activeCalls },
        calls_queue: { calls: pending, in_progress: s.pool.activeCalls },
        tracker_diagnostics: s.engine.diagnostics,
      };
    }),
  );
  status.register(
    "crm",
    s.redisHealth.guard(async () => {
      const failed = await s.journal.failedCount();
      const errors = await s.journal.errorStats(1);
      const reach = crmReachStatus(s.crmHealth, s.users);
      const unowned = await unownedSection(s);
      const problems = [...(reach.problems ?? []), ...(failed > 0 ? [`${failed} calls failed to reach Bitrix24 (see /api/errors; reprocess them)`] : []), ...unowned.problems];
      return {
        health: reach.health === "Ok" && (failed > 0 || unowned.problems.length > 0) ? "Warning" : reach.health,
        ...(problems.length ? { problems } : {}),
        credential: reach.credential,
        portal: s.b24.portal,
        auth: s.config.b24.auth.mode,
        users_cache: s.users.snapshot(),
        failed_calls: failed,
        errors_last_hour: errors,
        ...unowned.fields,
      };
    }),
  );
  status.register("customizer", () => ({ health: "Ok", ...s.hooks.customizerStatus(), stats: s.hooks.stats() }));
  const clickToCall = s.clickToCall;
  if (clickToCall) status.register("click_to_call", () => clickToCall.status());
  if (s.autodistribution) status.register("autodistribution", () => ({ health: "Ok", fastagi_port: s.fastAgiPort() || null, http: s.config.autodistribution.http.enabled }));
  status.register("license", () => {
    const st = s.license.guard.status();
    // The demo runs on the evaluation licence on purpose: say so plainly, not as a fault.
    if (s.config.license.demo && st.state === "evaluation" && !st.overLimit) return { health: "Ok", demo: true, note: "demo, evaluation licence", ...st };
    const health = st.state === "valid" && st.overLimit === false ? "Ok" : st.state === "refusing_new_calls" || st.state === "invalid" ? "Error" : "Warning";
    const problems =
      st.state === "valid" && !st.overLimit
        ? []
        : [st.message, ...(st.overLimitOperators.length ? [`operators over the licensed limit, not served: ${st.overLimitOperators.join(", ")}`] : [])];
    return { health, ...(problems.length ? { problems } : {}), ...st };
  });
  metrics.gauge("ab24_calls_active", "calls the tracker is following", () => s.engine.activeCalls);
  metrics.counterFrom("ab24_calls_fallback_total", "calls nobody owned, registered and finished on a fallback user (durable)", () => [
    [{ source: "credential_user" }, s.unownedStats.last.credential_user],
    [{ source: "default_user" }, s.unownedStats.last.default_user],
  ]);
  metrics.counterFrom("ab24_calls_not_landed_total", "calls nobody owned and not registered: no fallback user allowed (durable)", () => [[{}, s.unownedStats.last.not_landed]]);
}

/**
 * /status `crm` fields about the calls nobody owns: where they land (`fallback_user`), how many
 * did (`calls_on_fallback_user`), how many did not (`calls_not_landed`, a Warning).
 */
async function unownedSection(s: StatusSources): Promise<{ fields: Record<string, unknown>; problems: string[] }> {
  const r = s.config.responsible;
  const counts = await s.unownedStats.counts();
  const stored = r.fallbackToCredentialUser ? await s.credentialUser.stored() : undefined;
  const fallbackUser =
    r.defaultUserId !== undefined
      ? { source: "default_user", id: r.defaultUserId }
      : r.fallbackToCredentialUser
        ? { source: "credential_user", id: stored?.id ?? null, name: stored?.name ?? null, resolved_at: stored ? new Date(stored.resolvedAt).toISOString() : null }
        : null;
  const problems: string[] = [];
  if (counts.not_landed > 0) problems.push(`${counts.not_landed} calls nobody owned were not registered (no responsible.defaultUserId, responsible.fallbackToCredentialUser off)`);
  return {
    fields: {
      fallback_user: fallbackUser,
      calls_on_fallback_user: counts.credential_user + counts.default_user,
      calls_on_fallback_by_source: { credential_user: counts.credential_user, default_user: counts.default_user },
      calls_not_landed: counts.not_landed,
    },
    problems,
  };
}
