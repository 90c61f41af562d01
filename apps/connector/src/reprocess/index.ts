/**
 * Reprocessing assembled (docs/reprocessing.md): the run store, the engine per run, the in-process
 * runner with its schedule, the HTTP API, the status component and metrics. The connector builds
 * one with its live pipeline dependencies and a factory for a low-priority Bitrix24 client.
 */
import type { Redis } from "ioredis";
import type { Router } from "express";
import type { ConnectionOptions } from "bullmq";
import type { Logger } from "pino";
import type { ConnectorConfig } from "../config/index.js";
import type { B24Client, B24ClientOptions } from "../crm/index.js";
import { ErrorStats, type ErrorRates } from "../journal/error-stats.js";
import type { Metrics } from "../http/metrics.js";
import type { StatusRegistry } from "../http/status.js";
import type { CallOutbox } from "../outbox/call-outbox.js";
import { clientGateway, fetchUploader, type CrmGateway } from "../crm/gateway.js";
import { CrmStateStore } from "../stages/crm-state.js";
import { LEDGER_TTL_DAYS, RegistrationLedger } from "../stages/registration-ledger.js";
import type { LiveStageDeps as PipelineDeps } from "../stages/step.js";
import { CallFixer } from "./call-fixer.js";
import { reprocessSchema, scheduleCron, type ReprocessConfig } from "./config.js";
import { ReprocessEngine } from "./engine.js";
import { createReprocessRouter, type ReprocessApi } from "./http.js";
import { buildReport, type RunReport } from "./report.js";
import { ReprocessRunner } from "./runner.js";
import { celCallSource, withOutboxFallback, type CallSource } from "./source.js";
import { RunStore } from "./store.js";
import type { RunParams, RunSummary } from "./types.js";

export { reprocessSchema, type ReprocessConfig } from "./config.js";
export type { CallCheck, RunCounts, RunParams, RunSummary } from "./types.js";

/** BullMQ priority of reprocessing batches: live batches (no priority) always go first. */
export const REPROCESS_PRIORITY = 10;

export interface ReprocessingOptions {
  config: ConnectorConfig;
  live: PipelineDeps;
  redis: Redis;
  connection: ConnectionOptions;
  outbox: CallOutbox;
  /** A Bitrix24 client on the live queue and limiter with these overrides (priority, lanes, worker). */
  createClient: (overrides: Partial<B24ClientOptions>) => B24Client;
  logger: Logger;
  metrics?: Metrics;
  /** Replace the call source (tests); default: CEL from `config.cel`, then the outbox. */
  source?: CallSource;
  /** Run the runs' worker in this process (default true). The command line runs its run itself. */
  worker?: boolean;
  /** The client also runs a batch worker (the command line, when no connector may be running). */
  clientWorker?: boolean;
  now?: () => number;
}

/** Card mode "never" for every extension (cardModeByExtension wins over cardMode). */
const NO_CARDS: Record<string, "never"> = new Proxy({} as Record<string, "never">, {
  get: (_t, key) => (typeof key === "string" ? "never" : undefined),
  has: () => true,
});

function settings(config: ConnectorConfig): ReprocessConfig {
  return (config as ConnectorConfig & { reprocess?: ReprocessConfig }).reprocess ?? reprocessSchema.parse({});
}

export class Reprocessing implements ReprocessApi {
  readonly cfg: ReprocessConfig;
  readonly store: RunStore;
  readonly stats: ErrorStats;
  readonly client: B24Client;
  readonly gateway: CrmGateway;
  readonly runner: ReprocessRunner;
  /** Every call registered in Bitrix24 (live or by any run), by call key: never registered twice. */
  readonly ledger: RegistrationLedger;
  #source: CallSource | undefined;
  #rates: ErrorRates | undefined;
  #ratesTimer: NodeJS.Timeout | undefined;
  #starting: Promise<void> | undefined;
  #errorsLastHour: Record<string, number> = {};

  constructor(readonly opts: ReprocessingOptions) {
    const prefix = opts.config.redis.prefix;
    this.cfg = settings(opts.config);
    this.store = new RunStore(opts.redis, prefix, this.cfg.keepRuns);
    this.ledger = new RegistrationLedger(opts.redis, prefix, LEDGER_TTL_DAYS, opts.now);
    this.stats = new ErrorStats(opts.live.journal, { ...(opts.now ? { now: opts.now } : {}) });
    this.client = opts.createClient({ priority: REPROCESS_PRIORITY, lanes: this.cfg.lanes, worker: opts.clientWorker ?? false });
    this.gateway = clientGateway(this.client, fetchUploader(opts.config.b24.requestTimeoutMs));
    const schedule = scheduleCron(this.cfg.schedule);
    this.runner = new ReprocessRunner({
      connection: opts.connection,
      prefix,
      store: this.store,
      engineFor: (run) => this.engineFor(run),
      logger: opts.logger,
      ...(schedule ? { schedule } : {}),
      ...(this.cfg.timezone ? { timezone: this.cfg.timezone } : {}),
      worker: opts.worker ?? true,
      ...(opts.now ? { now: opts.now } : {}),
    });
  }

  /**
   * Opens the call source and starts the runner (schedule, queued and interrupted runs). The
   * connector does not wait for it (live calls first); stop() does.
   */
  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    await this.source();
    await this.runner.start();
    this.#registerMetrics();
    this.#ratesTimer = setInterval(() => void this.refreshRates(), 60_000);
    this.#ratesTimer.unref();
    await this.refreshRates();
  }

  async source(): Promise<CallSource> {
    if (this.#source) return this.#source;
    let cel = this.opts.source;
    if (!cel && this.opts.config.cel) {
      try {
        cel = await celCallSource(this.opts.config.cel, this.opts.config.tracker, (linkedid, err) =>
          this.opts.logger.warn({ linkedid, err: err.message }, "reprocess: a call could not be rebuilt from CEL"),
        );
      } catch (err) {
        this.opts.logger.warn({ err: (err as Error).message }, "reprocess: CEL cannot be read; only calls with stored stages can be reprocessed");
      }
    }
    this.#source = withOutboxFallback(cel, this.opts.outbox);
    return this.#source;
  }

  /** Pipeline dependencies of one run: low-priority gateway with run-scoped ids, run-scoped CRM state, no cards. */
  depsFor(run: RunSummary): PipelineDeps {
    const { live } = this.opts;
    const c = live.config;
    const gateway: CrmGateway = { ...this.gateway, chain: (commands, id) => this.gateway.chain(commands, id ? `rp:${run.id}:${id}` : undefined) };
    const config: ConnectorConfig = {
      ...c,
      // A card popping up for a call of last week helps nobody; notices neither.
      product: { ...c.product, cardModeByExtension: NO_CARDS },
      extras: {
        ...c.extras,
        unreachedNotice: { enabled: false },
        missedCallTask: { ...c.extras.missedCallTask, enabled: c.extras.missedCallTask.enabled && this.cfg.missedCallTasks },
      },
    };
    return { ...live, config, gateway, crmState: new CrmStateStore(this.opts.redis, `${this.opts.config.redis.prefix}:reprocess:${run.id}`, this.ledger, `reprocess:${run.id}`) };
  }

  engineFor(run: RunSummary): ReprocessEngine {
    const { live } = this.opts;
    const reprocess = this.depsFor(run);
    if (!this.#source) throw new Error("reprocessing is not started");
    const fixer = new CallFixer({ live, reprocess, liveCrmState: live.crmState, ledger: this.ledger, runId: run.id, dryRun: run.params.dryRun });
    return new ReprocessEngine({
      fixer,
      source: this.#source,
      journal: live.journal,
      gateway: reprocess.gateway,
      store: this.store,
      ledger: this.ledger,
      concurrency: this.cfg.concurrency,
      inProgressGraceMs: this.cfg.inProgressGraceMinutes * 60_000,
      logger: this.opts.logger,
      ...(this.opts.now ? { now: this.opts.now } : {}),
    });
  }

  // ReprocessApi
  submit(params: RunParams): Promise<RunSummary> {
    return this.runner.submit(params);
  }
  list(): Promise<RunSummary[]> {
    return this.store.list();
  }
  get(id: string): Promise<RunSummary | undefined> {
    return this.store.get(id);
  }
  cancel(id: string): Promise<RunSummary | undefined> {
    return this.runner.cancel(id);
  }
  async report(id: string): Promise<RunReport | undefined> {
    const run = await this.store.get(id);
    if (!run) return undefined;
    const { counts, listed } = await this.store.calls(id);
    const rates = await this.stats.rates(Date.parse(run.params.from), Date.parse(run.params.to)).catch(() => undefined);
    return buildReport(run, run.status === "running" || run.status === "queued" ? counts : (run.counts ?? counts), listed, this.cfg.reportMaxCalls, rates);
  }

  router(): Router {
    return createReprocessRouter(this);
  }

  async refreshRates(): Promise<ErrorRates | undefined> {
    this.#rates = await this.stats.rates().catch(() => this.#rates);
    const lastHour = await this.stats.buckets("hour").catch(() => undefined);
    if (lastHour) this.#errorsLastHour = lastHour.at(-1)?.byType ?? {};
    return this.#rates;
  }

  /** The `reprocess` component of /status. */
  registerStatus(status: StatusRegistry): void {
    status.register("reprocess", async () => {
      const [last] = await this.store.list(1);
      const rates = await this.refreshRates();
      const problems: string[] = [];
      if (last?.status === "failed") problems.push(`the last reprocessing run (${last.id}) failed: ${last.error ?? "unknown error"}`);
      if (last?.status === "done" && (last.counts?.stillWrong ?? 0) > 0)
        problems.push(`${last.counts!.stillWrong} calls still wrong after reprocessing run ${last.id}: see /api/reprocess/${last.id}/report.html`);
      const schedule = scheduleCron(this.cfg.schedule);
      return {
        health: problems.length ? "Warning" : "Ok",
        ...(problems.length ? { problems } : {}),
        schedule: schedule ? { cron: schedule.pattern, days: schedule.days, only: schedule.only, timezone: this.cfg.timezone ?? "local" } : null,
        last_run: last ?? null,
        live_error_rate: rates?.liveErrorRate ?? null,
        after_reprocess_error_rate: rates?.afterReprocessErrorRate ?? null,
        error_rates_window: rates ? { from: rates.from, to: rates.to, calls: rates.calls } : null,
      };
    });
  }

  #registerMetrics(): void {
    const m = this.opts.metrics;
    if (!m) return;
    m.gauge("ab24_live_error_rate", "calls not right on the first live pass / all calls, last 7 days", () => this.#rates?.liveErrorRate ?? 0);
    m.gauge("ab24_errors_this_hour", "typed errors journalled in the current UTC hour, by type", () => Object.entries(this.#errorsLastHour).map(([type, n]) => [{ type }, n]));
    m.gauge("ab24_after_reprocess_error_rate", "calls still not right after reprocessing / all calls, last 7 days", () => this.#rates?.afterReprocessErrorRate ?? 0);
  }

  async stop(): Promise<void> {
    await this.#starting?.catch(() => undefined);
    if (this.#ratesTimer) clearInterval(this.#ratesTimer);
    await Promise.all([this.runner.stop(), this.client.close({ graceMs: 1000 })]);
    await this.#source?.close();
  }
}
