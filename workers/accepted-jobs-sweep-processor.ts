import type { Knex } from 'knex';
import { sweepAcceptedJobs } from '../core/jobs/sweep-accepted-jobs.js';
import type { Logger } from '../core/observability/logger.js';
import type { Queues } from '../core/queues/queues.js';

export function acceptedJobsSweepProcessor(deps: { db: Knex; queues: Queues; logger: Logger; graceMs: number }) {
  return async (): Promise<void> => {
    const report = await sweepAcceptedJobs(deps, deps.graceMs);
    if (report.reenqueued || report.settledFailed) deps.logger.info('accepted jobs swept', { ...report });
  };
}
