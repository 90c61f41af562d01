import type { AmiClient } from "@asterisk-b24/ami";
import type { Autodistribution } from "../autodistribution/index.js";
import type { ClickToCallService } from "../click-to-call/index.js";
import type { ConnectorConfig } from "../config/index.js";
import type { B24Client } from "../crm/index.js";
import type { UsersCache } from "../directory/users-cache.js";
import type { HookRunner } from "../hooks/index.js";
import type { Metrics } from "../http/metrics.js";
import type { StatusRegistry } from "../http/status.js";
import type { Journal } from "../journal/index.js";
import type { ConnectorLicense } from "../license/connector-license.js";
import type { CallOutbox } from "../outbox/call-outbox.js";
import type { CallWorkerPool } from "../outbox/call-worker-pool.js";
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
}

/** Pending calls above this many make the calls section a warning. */
const PENDING_WARNING = 1000;

/** The /status sections (ami, calls, crm, customizer, click_to_call, autodistribution, license) and the active-calls gauge. */
export function registerStatusChecks(status: StatusRegistry, metrics: Metrics, s: StatusSources): void {
  status.register("redis", () => s.redisHealth.status());
  status.register("ami", () => ({
    health: s.amiConnected() ? "Ok" : "Error",
    ...(s.amiConnected() ? {} : { problems: ["not connected to Asterisk AMI"] }),
    connected: s.amiConnected(),
    host: `${s.config.ami.host}:${s.config.ami.port}`,
    stats: s.ami.stats,
    last_reconcile: s.lastReconcile() ?? null,
  }));
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
      const problems = [...(reach.problems ?? []), ...(failed > 0 ? [`${failed} calls failed to reach Bitrix24 (see /api/errors; reprocess them)`] : [])];
      return {
        health: reach.health === "Ok" && failed > 0 ? "Warning" : reach.health,
        ...(problems.length ? { problems } : {}),
        credential: reach.credential,
        portal: s.b24.portal,
        auth: s.config.b24.auth.mode,
        users_cache: s.users.snapshot(),
        failed_calls: failed,
        errors_last_hour: errors,
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
}
