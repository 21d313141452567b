import type { Knex } from 'knex';
import { sweepAcceptedJobs } from '../core/jobs/sweep-accepted-jobs.js';
import type { Logger } from '../core/observability/logger.js';
import type { Queues } from '../core/queues/queues.js';

/** The sweep's work; `leasedProcessor` makes it a processor that runs once at a time across workers. */
export function acceptedJobsSweep(deps: { db: Knex; queues: Queues; logger: Logger; graceMs: number }) {
  return async (signal: AbortSignal): Promise<void> => {
    const report = await sweepAcceptedJobs(deps, deps.graceMs, signal);
    if (report.reenqueued || report.settledFailed) deps.logger.info('accepted jobs swept', { ...report });
  };
}
