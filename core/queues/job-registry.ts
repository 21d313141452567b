import type { JobsOptions } from 'bullmq';
import type { Config, QueueName } from '../../config/index.js';
import { PAYMENT_RECURRING_JOBS, paymentJobOptions, type PaymentJobPayloads } from '../payments/payment-jobs.js';

/** Every job the system runs: its queue and its payload. Producers and processors both import this. */
export interface JobPayloads extends PaymentJobPayloads {
  /** Run one effect job; the BullMQ id is the effect_jobs row id, so re-enqueueing is idempotent. */
  EffectRun: { effectJobId: string; requestId?: string; /** Catalog id, for metrics labels only. */ effectId?: string };
  /** Re-enqueue accepted effect jobs that Redis lost, and settle ones BullMQ gave up on. Recurring. */
  AcceptedJobsSweep: Record<string, never>;
}

/**
 * Every payload may also carry `outageRetries`: how many times the job was postponed because Postgres or Redis was
 * down (see `workers/postpone-on-outage.ts`). It sets the next postponement's delay; it spends no attempt.
 */
export interface OutageRetries {
  outageRetries?: number;
}

export type JobName = keyof JobPayloads;

export const JOB_QUEUE: { readonly [N in JobName]: QueueName } = {
  EffectRun: 'effects',
  AcceptedJobsSweep: 'maintenance',
  PaymentOrderExpire: 'payments',
  PaymentsReconcile: 'payments',
  PaymentsExpirySweep: 'payments',
};

export const JOB_NAMES = Object.keys(JOB_QUEUE) as JobName[];

export const jobsOfQueue = (queue: QueueName): JobName[] => JOB_NAMES.filter((name) => JOB_QUEUE[name] === queue);

/** Jobs that take no input and run on a schedule. */
export type RecurringJobName = { [N in JobName]: JobPayloads[N] extends Record<string, never> ? N : never }[JobName];

/**
 * The recurring chores and how often each runs. A chore is declared here and given a processor; the schedule
 * itself lives in Postgres (`core/queues/recurring-jobs.ts`), so nothing Redis loses can stop it, and one run of
 * a chore works at a time however many workers there are (`recurring-job-lease.ts`).
 */
export const RECURRING_JOBS: { readonly [N in RecurringJobName]?: (config: Pick<Config, 'jobs' | 'payments'>) => number } = {
  AcceptedJobsSweep: (config) => config.jobs.sweepIntervalMs,
  ...PAYMENT_RECURRING_JOBS,
};

/**
 * Per-job defaults. Finished jobs are trimmed by age and count so Redis memory stays bounded
 * (bullmq #225, #2734); the database row, not Redis, is the record of what happened.
 */
export function jobOptions(name: JobName, config: Pick<Config, 'jobs' | 'payments'>): JobsOptions {
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
    case 'PaymentOrderExpire':
    case 'PaymentsReconcile':
    case 'PaymentsExpirySweep':
      return paymentJobOptions(name, config);
  }
}
