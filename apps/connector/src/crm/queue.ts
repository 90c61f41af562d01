/**
 * BullMQ plumbing: every batch is one job (job id = batch id, deterministic, so a restarted process
 * finds it), processed by a Worker whose concurrency is the number of lanes — several batches in
 * flight at once, so one slow answer from a box does not stall the rest. The job's progress holds the
 * partial per-command outcomes (a re-run after a crash re-sends only what is still pending); its
 * return value holds all outcomes, kept `keepResultsSec` for submitters that resume after a restart.
 */
import { Queue, QueueEvents, Worker, Job, type ConnectionOptions } from "bullmq";
import type { BatchPayload } from "./batcher.js";
import type { BatchExecutor, BatchState, CommandOutcome } from "./batch-executor.js";

export interface QueueConfig {
  /** Worker lock; a dead worker's batch is taken over after about this long (default 30 000 ms). */
  lockDurationMs?: number;
  /** How often workers look for batches of dead workers (default 15 000 ms). */
  stalledIntervalMs?: number;
  /** How long finished batches (and their results) stay findable (default 86 400 s). */
  keepResultsSec?: number;
}

export interface BatchJobResult {
  outcomes: Record<string, CommandOutcome>;
}

export function queueName(portal: string): string {
  return `b24-batch-${portal.replace(/[^A-Za-z0-9_.-]/g, "_")}`;
}

export function createBatchQueue(connection: ConnectionOptions, prefix: string, portal: string): Queue<BatchPayload, BatchJobResult> {
  return new Queue<BatchPayload, BatchJobResult>(queueName(portal), { connection, prefix });
}

/**
 * `priority`: BullMQ job priority (1 = highest of the prioritized). Jobs without one — live calls —
 * are always taken before prioritized jobs, so a backlog submitted with a priority (reprocessing)
 * only gets the lanes live batches leave free.
 */
export function batchJobOptions(batch: BatchPayload, cfg: QueueConfig, priority?: number) {
  const keep = cfg.keepResultsSec ?? 86_400;
  return {
    jobId: batch.id,
    ...(priority ? { priority } : {}),
    removeOnComplete: { age: keep },
    removeOnFail: { age: keep * 7 },
    // The executor retries Bitrix24 failures itself; these attempts only cover unexpected crashes of
    // the processor (e.g. Redis gone for a moment while saving progress).
    attempts: 20,
    backoff: { type: "exponential", delay: 1000 },
  };
}

export function createBatchWorker(
  connection: ConnectionOptions,
  prefix: string,
  portal: string,
  lanes: number,
  executor: BatchExecutor,
  cfg: QueueConfig,
): Worker<BatchPayload, BatchJobResult> {
  return new Worker<BatchPayload, BatchJobResult>(
    queueName(portal),
    async (job) => {
      const prev = job.progress as Partial<BatchState> | number | undefined;
      const state: BatchState =
        prev && typeof prev === "object" && prev.outcomes
          ? { outcomes: prev.outcomes, ambiguous: !!prev.ambiguous, attempts: prev.attempts ?? 0 }
          : { outcomes: {}, ambiguous: false, attempts: 0 };
      // Started before (a worker died or the processor crashed): what it sent may have executed.
      if (job.attemptsStarted > 1 || state.attempts > 0) state.ambiguous = true;
      const outcomes = await executor.run(job.data, state, (s) => job.updateProgress({ ...s }));
      return { outcomes };
    },
    {
      connection,
      prefix,
      concurrency: lanes,
      lockDuration: cfg.lockDurationMs ?? 30_000,
      stalledInterval: cfg.stalledIntervalMs ?? 15_000,
      maxStalledCount: 100, // a restart must never turn a batch into a failed job
    },
  );
}

export function createBatchEvents(connection: ConnectionOptions, prefix: string, portal: string): QueueEvents {
  return new QueueEvents(queueName(portal), { connection, prefix });
}

/** Finished state of a batch job: its outcomes, a failure reason, or undefined while it is pending. */
export async function finishedBatch(
  queue: Queue<BatchPayload, BatchJobResult>,
  jobId: string,
): Promise<{ job?: Job<BatchPayload, BatchJobResult>; result?: BatchJobResult; failed?: string; missing?: boolean }> {
  const job = await Job.fromId<BatchPayload, BatchJobResult>(queue, jobId);
  if (!job) return { missing: true };
  if (job.finishedOn && job.returnvalue && !job.failedReason) return { job, result: job.returnvalue };
  if (job.finishedOn && job.failedReason && (await job.isFailed())) return { job, failed: job.failedReason };
  return { job };
}
