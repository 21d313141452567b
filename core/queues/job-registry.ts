import type { JobsOptions } from 'bullmq';
import type { Config } from '../../config/index.js';
import { paymentJobOptions, type PaymentOrderExpirePayload } from '../payments/payment-jobs.js';

/*
 * THE QUEUE REGISTRY — every queue and every job, declared once.
 *
 * Configuration (WORKER_QUEUES, the WORKER_CONCURRENCY_* variables), the producers (`queues.ts`), worker start-up,
 * the queue metrics, Bull Board and the recurring scheduler are all derived from `QUEUES` below.
 *
 * To add a queue (or a job to an existing queue):
 *   1. add one entry here: the queue's concurrency variable, and each job's payload type (`job<Payload>(...)`),
 *      default options and, for a chore, `everyMs`;
 *   2. add one processor for each new job name in `workers/processors.ts`.
 * A worker refuses to start when a registered job name has no processor (or a processor has no job). A recurring
 * chore's schedule lives in Postgres (`recurring-jobs.ts`, table `recurring_jobs`): one claimant per run across
 * every worker, and one run at a time (`recurring-job-lease.ts`); nothing else is needed for it to run.
 */

/** A RunningHub effect job; `capacitySince`/`capacityRetries` track how long it has met busy or unreachable regions. */
export interface RunningHubTaskRunPayload {
  effectJobId: string;
  requestId?: string;
  /** Catalog id, for metrics labels only. */
  effectId?: string;
  capacitySince?: number;
  capacityRetries?: number;
}

/** The parts of the configuration job options and schedules are computed from. */
export type JobSettings = Pick<Config, 'jobs' | 'payments' | 'retention'>;

/**
 * How long a queue keeps its finished jobs. It is the queue's, not a job's: BullMQ trims the whole completed (or
 * failed) set by the `removeOnComplete` (`removeOnFail`) of whichever job just finished, so a frequent chore kept
 * 100 deep would trim every other job of its queue to 100 too.
 */
export interface QueueRetention {
  removeOnComplete: { age?: number; count: number };
  removeOnFail: { age?: number; count: number };
}

/** Options a job name sets itself; retention comes from its queue. */
export type OwnJobOptions = Omit<JobsOptions, 'removeOnComplete' | 'removeOnFail'>;

/** One job name of a queue. `Data` is its payload type; producers and processors are both checked against it. */
export interface JobDefinition<Data = unknown> {
  /** Default options of every job of this name (attempts, backoff); a producer may add jobId, priority, delay. */
  options(config: JobSettings): OwnJobOptions;
  /** Set for a recurring chore (its payload is empty): how often it runs. */
  everyMs?(config: JobSettings): number;
  /** Type-level only: carries `Data`. */
  readonly payload?: Data;
}

export interface QueueDefinition {
  /** The environment variable with this queue's per-worker concurrency, its default and its ceiling. */
  concurrency: { variable: string; default: number; max: number };
  retention: QueueRetention;
  jobs: Readonly<Record<string, JobDefinition>>;
}

export type QueueRegistry = Readonly<Record<string, QueueDefinition>>;

/** Declares a job and its payload type: `job<{ orderId: string }>({ options: ... })`. */
export const job = <Data>(definition: Omit<JobDefinition<Data>, 'payload'>): JobDefinition<Data> => definition;

/** An empty payload: the job of a recurring chore. */
export type NoPayload = Record<string, never>;

/*
 * Finished jobs are trimmed by age and count so Redis memory stays bounded (bullmq #225, #2734); the database row,
 * not Redis, is the record of what happened.
 */
const DAY_S = 24 * 3600;
const JOB_RETENTION: QueueRetention = { removeOnComplete: { age: DAY_S, count: 10_000 }, removeOnFail: { age: 7 * DAY_S, count: 50_000 } };
/** Chores only: their runs matter for a while, and the chores' own logs and metrics say the rest. */
const CHORE_RETENTION: QueueRetention = { removeOnComplete: { count: 100 }, removeOnFail: { count: 500 } };

/** A retention chore (`core/retention/`): one run at a time under its lease, every CLEANUP_INTERVAL. */
const retentionChore = () => job<NoPayload>({ options: () => ({ attempts: 1 }), everyMs: (config) => config.retention.intervalMs });

export const QUEUES = {
  effects: {
    concurrency: { variable: 'WORKER_CONCURRENCY_EFFECTS', default: 2, max: 256 },
    retention: JOB_RETENTION,
    jobs: {
      /** Run one effect job; the BullMQ id is the effect_jobs row id, so re-enqueueing is idempotent. */
      EffectRun: job<{ effectJobId: string; requestId?: string; /** Catalog id, for metrics labels only. */ effectId?: string }>({
        options: (config) => ({
          attempts: config.jobs.attempts,
          backoff: { type: 'exponential', delay: config.jobs.backoffMs },
        }),
      }),
    },
  },
  runninghub: {
    // Each step is a few short HTTP calls; waiting between looks is a delayed job, so slots are cheap.
    concurrency: { variable: 'WORKER_CONCURRENCY_RUNNINGHUB', default: 8, max: 256 },
    retention: JOB_RETENTION,
    jobs: {
      /**
       * One step of an effect job on RunningHub (take a slot and create the task, or look at it, or copy its
       * outputs); it re-delays itself between looks. The BullMQ id is the effect_jobs row id, as for `EffectRun`.
       */
      RunningHubTaskRun: job<RunningHubTaskRunPayload>({
        options: (config) => ({
          attempts: config.jobs.attempts,
          backoff: { type: 'exponential', delay: config.jobs.backoffMs },
        }),
      }),
    },
  },
  maintenance: {
    concurrency: { variable: 'WORKER_CONCURRENCY_MAINTENANCE', default: 1, max: 16 },
    retention: CHORE_RETENTION,
    jobs: {
      /** Re-enqueue accepted effect jobs that Redis lost, and settle ones BullMQ gave up on. */
      AcceptedJobsSweep: job<NoPayload>({
        options: () => ({ attempts: 1 }),
        everyMs: (config) => config.jobs.sweepIntervalMs,
      }),
      /** Uploads past UPLOAD_TTL: objects deleted, rows tombstoned, queued jobs on them failed and refunded. */
      UploadsExpire: retentionChore(),
      /** Results past RESULT_TTL: objects deleted, jobs tombstoned (history shows them as expired). */
      ResultsExpire: retentionChore(),
      /** Objects under uploads/ and results/ that no live row names, older than CLEANUP_GRACE. */
      OrphanObjectsSweep: retentionChore(),
      /** Temporary and `*.partial` files that crashed processes left behind, older than CLEANUP_GRACE. */
      TempFilesSweep: retentionChore(),
      /** Refresh tokens whose whole session has expired. */
      RefreshTokensPrune: retentionChore(),
      /** BullMQ's completed and failed sets of every queue, trimmed by age and count. */
      FinishedJobsTrim: retentionChore(),
    },
  },
  payments: {
    concurrency: { variable: 'WORKER_CONCURRENCY_PAYMENTS', default: 2, max: 64 },
    // The frequent schedules share the set with the per-order expiry jobs, whose records are kept for support.
    retention: { removeOnComplete: { age: DAY_S, count: 10_000 }, removeOnFail: { age: 14 * DAY_S, count: 10_000 } },
    jobs: {
      /** Close one order at its expiry, at the provider and locally; delayed, one per order (`paymentOrderExpireJobId`). */
      PaymentOrderExpire: job<PaymentOrderExpirePayload>({ options: paymentJobOptions }),
      /** Query the provider about pending orders whose notification is late; settle or close them. */
      PaymentsReconcile: job<NoPayload>({
        options: paymentJobOptions,
        everyMs: (config) => config.payments.reconcileIntervalMs,
      }),
      /** The safety net under the expiry jobs (Redis can lose them): close every pending order past its expiry. */
      PaymentsExpirySweep: job<NoPayload>({
        options: paymentJobOptions,
        everyMs: (config) => config.payments.expirySweepIntervalMs,
      }),
    },
  },
} as const satisfies QueueRegistry;

type Builtin = typeof QUEUES;
export type QueueName = Extract<keyof Builtin, string>;

type UnionToIntersection<U> = (U extends unknown ? (arg: U) => void : never) extends (arg: infer I) => void ? I : never;
type JobTable = UnionToIntersection<{ [Q in QueueName]: Builtin[Q]['jobs'] }[QueueName]>;

export type JobName = Extract<keyof JobTable, string>;

/** Every job's payload, by job name, as declared in `QUEUES`. */
export type JobPayloads = { [N in JobName]: JobTable[N] extends JobDefinition<infer Data> ? Data : never };

/** Jobs of recurring chores. */
export type RecurringJobName = { [N in JobName]: JobTable[N] extends { everyMs: unknown } ? N : never }[JobName];

/**
 * Every payload may also carry `outageRetries`: how many times the job was postponed because Postgres or Redis was
 * down (see `workers/postpone-on-outage.ts`). It sets the next postponement's delay; it spends no attempt.
 */
export interface OutageRetries {
  outageRetries?: number;
}

/** A job name with its queue and definition: the flat view everything below uses. */
export interface RegisteredJob {
  name: string;
  queue: string;
  definition: JobDefinition;
}

/** Every job of `registry`; a job name declared in two queues is refused (it could not be routed). */
export function registeredJobs(registry: QueueRegistry = QUEUES): RegisteredJob[] {
  const jobs = Object.entries(registry).flatMap(([queue, definition]) =>
    Object.entries(definition.jobs).map(([name, jobDefinition]) => ({ name, queue, definition: jobDefinition })),
  );
  const seen = new Set<string>();
  for (const { name } of jobs) {
    if (seen.has(name)) throw new Error(`job name ${name} is declared in two queues`);
    seen.add(name);
  }
  return jobs;
}

/** The registered job of `name`; throws for a name the registry does not know (a deploy mismatch). */
export function registeredJob(name: string, registry: QueueRegistry = QUEUES): RegisteredJob {
  const found = registeredJobs(registry).find((entry) => entry.name === name);
  if (!found) throw new Error(`job name ${name} is not in the queue registry`);
  return found;
}

/** The queue a job of this name goes to. */
export const queueOfJob = (name: JobName): QueueName => registeredJob(name).queue as QueueName;

/** Default options of a job name: its own, and its queue's retention. */
export function jobOptions(name: string, config: JobSettings, registry: QueueRegistry = QUEUES): JobsOptions {
  const { queue, definition } = registeredJob(name, registry);
  return { ...definition.options(config), ...registry[queue]!.retention };
}

/** The recurring chores of the queues in `queues`, with their intervals. */
export function recurringSchedules(registry: QueueRegistry, queues: readonly string[], config: JobSettings): { name: string; everyMs: number }[] {
  return registeredJobs(registry)
    .filter((entry) => entry.definition.everyMs && queues.includes(entry.queue))
    .map((entry) => ({ name: entry.name, everyMs: entry.definition.everyMs!(config) }));
}
