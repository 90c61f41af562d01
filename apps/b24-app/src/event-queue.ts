/**
 * The durable hand-over to the connector: a BullMQ queue on the shared Redis. One job per
 * click-to-call; the job id is derived from Bitrix24's CALL_ID, so the same event delivered twice
 * (online and from the offline queue, or a portal retry) is queued once.
 *
 * Contract (the connector's click-to-call consumer reads it; see docs/b24-app.md):
 *   job name  "ONEXTERNALCALLSTART" | "ONEXTERNALCALLBACKSTART"
 *   job data  ClickToCallJob
 */
import { Queue } from "bullmq";
import type { RedisTarget } from "./redis.js";

// The job contract is shared with the connector (packages/common/src/click-to-call.ts).
export { CLICK_TO_CALL_EVENTS, isClickToCallEvent, type ClickToCallEventName, type ClickToCallJob } from "@asterisk-b24/common";
import type { ClickToCallJob } from "@asterisk-b24/common";

export function jobIdFor(job: ClickToCallJob, fallback: string): string {
  const callId = typeof job.data.CALL_ID === "string" && job.data.CALL_ID !== "" ? job.data.CALL_ID : fallback;
  return `${job.event.toLowerCase()}-${callId}`.replace(/[^A-Za-z0-9._-]/g, "_");
}

export class ClickToCallQueue {
  readonly queue: Queue;

  constructor(opts: { name: string; prefix: string; connection: RedisTarget; keep: number }) {
    this.queue = new Queue(opts.name, {
      connection: { ...opts.connection },
      prefix: opts.prefix,
      defaultJobOptions: {
        attempts: 5,
        backoff: { type: "exponential", delay: 500 },
        removeOnComplete: { count: opts.keep },
        removeOnFail: { count: opts.keep },
      },
    });
  }

  /** Resolves once the job is in Redis. Returns false when it was there already (duplicate). */
  async add(job: ClickToCallJob, fallbackId: string): Promise<{ jobId: string; added: boolean }> {
    const jobId = jobIdFor(job, fallbackId);
    const before = await this.queue.getJob(jobId);
    if (before) return { jobId, added: false };
    await this.queue.add(job.event, job, { jobId });
    return { jobId, added: true };
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
