import { hostname } from 'node:os';
import type { Job } from 'bullmq';
import type { Knex } from 'knex';
import { runUnderLease } from '../core/queues/recurring-job-lease.js';
import type { Logger } from '../core/observability/logger.js';

/**
 * The processor of a recurring chore: its work runs under the chore's lease, so a run that finds an earlier run
 * still working (on this or any other worker) ends at once instead of doing the same work beside it.
 */
export function leasedProcessor(deps: { db: Knex; logger: Logger }, name: string, work: (signal: AbortSignal) => Promise<void>) {
  return async (job: Job): Promise<void> => {
    const outcome = await runUnderLease(deps.db, name, `${hostname()}:${process.pid}:${job.id}`, work);
    if (outcome === 'busy') deps.logger.info('recurring job skipped: an earlier run still holds its lease', { job: name, jobId: job.id });
  };
}
