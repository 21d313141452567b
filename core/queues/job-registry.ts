import type { JobsOptions } from 'bullmq';
import type { Config, QueueName } from '../../config/index.js';

/** Every job the system runs: its queue and its payload. Producers and processors both import this. */
export interface JobPayloads {
  /** Run one effect job; the BullMQ id is the effect_jobs row id, so re-enqueueing is idempotent. */
  EffectRun: { effectJobId: string; requestId?: string; /** Catalog id, for metrics labels only. */ effectId?: string };
  /** Re-enqueue accepted effect jobs that Redis lost, and settle ones BullMQ gave up on. */
  AcceptedJobsSweep: Record<string, never>;
}

export type JobName = keyof JobPayloads;

export const JOB_QUEUE: { readonly [N in JobName]: QueueName } = {
  EffectRun: 'effects',
  AcceptedJobsSweep: 'maintenance',
};

export const JOB_NAMES = Object.keys(JOB_QUEUE) as JobName[];

export const jobsOfQueue = (queue: QueueName): JobName[] => JOB_NAMES.filter((name) => JOB_QUEUE[name] === queue);

/**
 * Per-job defaults. Finished jobs are trimmed by age and count so Redis memory stays bounded
 * (bullmq #225, #2734); the database row, not Redis, is the record of what happened.
 */
export function jobOptions(name: JobName, config: Pick<Config, 'jobs'>): JobsOptions {
  switch (name) {
    case 'EffectRun':
      return {
        attempts: config.jobs.attempts,
        backoff: { type: 'exponential', delay: config.jobs.backoffMs },
        removeOnComplete: { age: 24 * 3600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3600, count: 50_000 },
      };
    case 'AcceptedJobsSweep':
      return { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 500 } };
  }
}
