/**
 * Runs inside the connector: a BullMQ queue of runs (one job per run, job id = run id) and a job
 * scheduler for the configured schedule — both in Redis, so a run asked for survives a restart
 * and the schedule fires once across every connector process sharing the prefix.
 *
 * One run at a time per prefix: a run takes the Redis lock (renewed while it runs); a run whose
 * turn comes while another holds it waits (delayed job). A connector killed mid-run: BullMQ hands
 * the stalled job to the next worker (this process after its restart, or another one) and the run
 * RESUMES — the calls it already recorded are skipped. A run started from the command line has no
 * job: when that command dies, the next connector start marks the run failed.
 */
import { DelayedError, Queue, Worker, type ConnectionOptions, type Job } from "bullmq";
import type { Logger } from "pino";
import type { ReprocessEngine } from "./engine.js";
import type { RunStore } from "./store.js";
import type { Only, RunParams, RunSummary } from "./types.js";

export const LOCK_TTL_MS = 60_000;
const SCHEDULER_ID = "reprocess-schedule";

interface RunJob {
  runId?: string;
  /** Scheduled runs: the period is the `days` before the moment the job fires. */
  days?: number;
  only?: Only;
}

export interface RunnerOptions {
  connection: ConnectionOptions;
  prefix: string;
  store: RunStore;
  /** The engine for one run (each run has its own id namespace and dry-run flag). */
  engineFor: (run: RunSummary) => ReprocessEngine;
  logger: Logger;
  /** The schedule (cron pattern, local time or `timezone`), or undefined for none. */
  schedule?: { pattern: string; days: number; only: Only };
  timezone?: string;
  /** Run a worker in this process (default true). */
  worker?: boolean;
  now?: () => number;
}

export class ReprocessRunner {
  readonly queue: Queue<RunJob>;
  #worker: Worker<RunJob> | undefined;
  #active: ReprocessEngine | undefined;
  readonly #now: () => number;

  constructor(readonly opts: RunnerOptions) {
    this.#now = opts.now ?? Date.now;
    this.queue = new Queue<RunJob>("reprocess-runs", { connection: opts.connection, prefix: `${opts.prefix}:bull` });
    this.queue.on("error", (e) => opts.logger.warn({ err: e.message }, "reprocess queue error"));
  }

  async start(): Promise<void> {
    await this.recoverOrphans();
    if (this.opts.schedule) {
      await this.queue.upsertJobScheduler(
        SCHEDULER_ID,
        { pattern: this.opts.schedule.pattern, ...(this.opts.timezone ? { tz: this.opts.timezone } : {}) },
        { name: "scheduled", data: { days: this.opts.schedule.days, only: this.opts.schedule.only }, opts: { removeOnComplete: 100, removeOnFail: 100 } },
      );
    } else {
      await this.queue.removeJobScheduler(SCHEDULER_ID);
    }
    if (this.opts.worker === false) return;
    this.#worker = new Worker<RunJob>("reprocess-runs", (job, token) => this.#process(job, token), {
      connection: this.opts.connection,
      prefix: `${this.opts.prefix}:bull`,
      concurrency: 1,
      lockDuration: LOCK_TTL_MS,
      maxStalledCount: 5,
    });
    this.#worker.on("error", (e) => this.opts.logger.warn({ err: e.message }, "reprocess worker error"));
    this.#worker.on("failed", (job, err) => {
      const id = job?.data.runId;
      if (id && !(err instanceof DelayedError)) void this.opts.store.patch(id, { status: "failed", error: err.message, finishedAt: new Date(this.#now()).toISOString() });
    });
    await this.#worker.waitUntilReady();
  }

  /** Queues a run (HTTP API); resolves with its summary (status queued). */
  async submit(params: RunParams): Promise<RunSummary> {
    const run = await this.opts.store.create(params, this.#now());
    await this.queue.add("run", { runId: run.id }, { jobId: run.id, removeOnComplete: 100, removeOnFail: 100 });
    return run;
  }

  /** The schedule's job, now (tests, and an admin who wants this week's run early). */
  async triggerSchedule(): Promise<void> {
    if (!this.opts.schedule) throw new Error("no reprocess.schedule configured");
    await this.queue.add("scheduled", { days: this.opts.schedule.days, only: this.opts.schedule.only }, { removeOnComplete: 100, removeOnFail: 100 });
  }

  /** Cancels a queued run at once, a running one at its next call. */
  async cancel(id: string): Promise<RunSummary | undefined> {
    const run = await this.opts.store.get(id);
    if (!run) return undefined;
    if (run.status === "queued") {
      await this.opts.store.requestCancel(id);
      const job = await this.queue.getJob(id);
      await job?.remove().catch(() => undefined);
      return this.opts.store.patch(id, { status: "cancelled", finishedAt: new Date(this.#now()).toISOString() });
    }
    if (run.status === "running") await this.opts.store.requestCancel(id);
    return run;
  }

  /** Runs started from the command line whose process is gone (no lock held): failed. */
  async recoverOrphans(): Promise<void> {
    const holder = await this.opts.store.lockHolder();
    for (const run of await this.opts.store.list(this.opts.store.keepRuns)) {
      if (run.status === "running" && run.params.trigger === "cli" && holder !== run.id) {
        await this.opts.store.patch(run.id, {
          status: "failed",
          error: "the reprocess command that ran it stopped before the end",
          finishedAt: new Date(this.#now()).toISOString(),
        });
      }
    }
  }

  async #process(job: Job<RunJob>, token: string | undefined): Promise<RunSummary | undefined> {
    const { store, engineFor, logger } = this.opts;
    let runId = job.data.runId;
    if (!runId) {
      // A scheduled run: created once per fire; a retried job keeps the same run.
      const to = this.#now();
      const params: RunParams = {
        from: new Date(to - (job.data.days ?? 7) * 86_400_000).toISOString(),
        to: new Date(to).toISOString(),
        only: job.data.only ?? "all",
        dryRun: false,
        trigger: "schedule",
      };
      runId = (await store.create(params, to)).id;
      await job.updateData({ ...job.data, runId });
    }
    const run = await store.get(runId);
    if (!run || run.status === "cancelled" || run.status === "done") return run;
    if (!(await store.lock(runId, LOCK_TTL_MS))) {
      await job.moveToDelayed(this.#now() + 5000, token);
      throw new DelayedError();
    }
    const renew = setInterval(() => void store.lock(runId, LOCK_TTL_MS).catch(() => undefined), LOCK_TTL_MS / 3);
    try {
      logger.info({ run: runId, params: run.params }, "reprocess run started");
      const engine = engineFor(run);
      this.#active = engine;
      const final = await engine.execute(run).finally(() => (this.#active = undefined));
      if (engine.halted && final.status === "running") {
        // Stopping mid-run: the job goes back to the queue and the run resumes at the next start.
        await job.moveToDelayed(this.#now() + 1000, token);
        throw new DelayedError();
      }
      logger.info({ run: runId, status: final.status, counts: final.counts }, "reprocess run ended");
      return final;
    } finally {
      clearInterval(renew);
      await store.unlock(runId);
    }
  }

  /** Stops taking runs; a run in progress stops after its calls in flight and resumes at the next start. */
  async stop(): Promise<void> {
    this.#active?.halt();
    await this.#worker?.close().catch(() => undefined);
    await this.queue.close().catch(() => undefined);
  }
}

/** Runs `run` in this process (the command line), holding the one-run lock; throws when another run holds it. */
export async function runInProcess(store: RunStore, engine: ReprocessEngine, run: RunSummary, onProgress?: (r: RunSummary) => void): Promise<RunSummary> {
  if (!(await store.lock(run.id, LOCK_TTL_MS))) {
    const holder = await store.lockHolder();
    await store.patch(run.id, { status: "failed", error: `another run is in progress (${holder})` });
    throw new Error(`another reprocessing run is in progress (${holder}); try again when it ends, or cancel it`);
  }
  const renew = setInterval(() => void store.lock(run.id, LOCK_TTL_MS).catch(() => undefined), LOCK_TTL_MS / 3);
  try {
    return await engine.execute(run, onProgress);
  } finally {
    clearInterval(renew);
    await store.unlock(run.id);
  }
}
