import { enqueueEffectJob, queueOfEffectJob } from './enqueue-effect-job.js';
import type { Knex } from 'knex';
import type { Logger } from '../observability/logger.js';
import type { Queues } from '../queues/queues.js';
import { listUnfinishedJobs } from './effect-job-records.js';
import { finishJobWithRefund } from './effect-job-lifecycle.js';

const BATCH = 500;

export interface SweepReport {
  checked: number;
  reenqueued: number;
  settledFailed: number;
}

/**
 * Reconciles Postgres (what we accepted) with Redis (what is queued). A job the queue does not know —
 * the API died between commit and enqueue, or Redis was flushed or failed over — is enqueued again under
 * its own id, so a job that is in fact still there is not duplicated. That includes a `running` row whose worker
 * is still on it after a flush: the second run claims the row too, but only the first completion counts (the
 * row's conditional updates) and the result key is the job's own, so the later one is discarded or skipped.
 * A job BullMQ gave up on without the row hearing of it (its lock lost as it failed, a worker dying mid-settle) is
 * failed and refunded.
 */
export async function sweepAcceptedJobs(
  deps: { db: Knex; queues: Queues; logger: Logger },
  graceMs: number,
  signal?: AbortSignal,
): Promise<SweepReport> {
  const rows = await listUnfinishedJobs(deps.db, new Date(Date.now() - graceMs), BATCH);
  const report: SweepReport = { checked: rows.length, reenqueued: 0, settledFailed: 0 };
  for (const row of rows) {
    signal?.throwIfAborted();
    const queue = queueOfEffectJob(deps.queues, row.effect_id);
    const state = await queue.getJobState(row.id);
    if (state === 'unknown') {
      await enqueueEffectJob(deps.queues, { id: row.id, effectId: row.effect_id, requestId: row.request_id ?? undefined });
      report.reenqueued += 1;
      deps.logger.warn('re-enqueued an accepted job missing from the queue', { jobId: row.id, status: row.status });
    } else if (state === 'failed') {
      const job = await queue.getJob(row.id);
      const settled = await finishJobWithRefund(deps.db, row.id, {
        status: 'failed',
        code: 'PROCESSING_FAILED',
        message: 'The effect could not be completed',
      });
      if (settled) {
        report.settledFailed += 1;
        deps.logger.warn('settled a job the queue had failed', { jobId: row.id, reason: job?.failedReason });
      }
    }
  }
  return report;
}
