import { DelayedError, type Job } from 'bullmq';
import { infrastructureOutageOf } from '../core/errors.js';
import type { Logger } from '../core/observability/logger.js';
import type { OutageRetries } from '../core/queues/job-registry.js';

type Processor = (job: Job, token?: string) => Promise<void>;

/**
 * The wait before the `retry`-th try (1, 2, ...) of a job postponed by an outage: the base doubled each time up to
 * `maxMs`, then spread by up to ±`jitter` so the jobs of an outage do not all return in the same instant.
 */
export function outageRetryDelay(retry: number, baseMs: number, maxMs: number, jitter = 0.2, random = Math.random): number {
  const doubled = baseMs * 2 ** Math.min(Math.max(0, retry - 1), 30);
  const capped = Math.min(maxMs, doubled);
  return Math.max(0, Math.round(capped * (1 + jitter * (2 * random() - 1))));
}

/**
 * A job that fails because Postgres or Redis is down did nothing wrong and must not spend one of its attempts: it
 * is moved back to the delayed set untouched (BullMQ's manual `moveToDelayed` skips the attempt count) and tried
 * again after a growing wait, for as long as the outage lasts. The number of postponements rides in the job data.
 * A processor lets such errors reach here without settling anything (the database is away anyway).
 */
export function postponeOnOutage(processor: Processor, options: { baseDelayMs: number; maxDelayMs: number; logger: Logger }): Processor {
  return async (job, token) => {
    try {
      await processor(job, token);
    } catch (error) {
      const dependency = infrastructureOutageOf(error);
      if (!dependency || !token) throw error;
      const data = (job.data ?? {}) as OutageRetries;
      const retries = (data.outageRetries ?? 0) + 1;
      const delayMs = outageRetryDelay(retries, options.baseDelayMs, options.maxDelayMs);
      try {
        await job.updateData({ ...data, outageRetries: retries });
        await job.moveToDelayed(Date.now() + delayMs, token);
      } catch (moveError) {
        // Redis itself is away, or the job's lock was lost: BullMQ's own failure handling is all that is left.
        options.logger.warn('could not postpone a job during an outage', { jobId: job.id, dependency, err: moveError });
        throw error;
      }
      options.logger.warn('job postponed: a dependency is unavailable', { jobId: job.id, dependency, outageRetries: retries, delayMs, err: error });
      throw Object.assign(new DelayedError(`postponed: ${dependency} unavailable`), { cause: error });
    }
  };
}
