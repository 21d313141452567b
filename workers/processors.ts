import type { Knex } from 'knex';
import type { Config } from '../config/index.js';
import type { Logger } from '../core/observability/logger.js';
import type { Queues } from '../core/queues/queues.js';
import type { ObjectStorage } from '../core/storage/object-storage.js';
import type { Metrics } from '../core/observability/metrics.js';
import type { PaymentProviders } from '../core/payments/payment-providers.js';
import type { EffectProvider } from '../core/effects/effect-provider.js';
import { acceptedJobsSweep } from './accepted-jobs-sweep-processor.js';
import { effectRunProcessor } from './effect-run-processor.js';
import { leasedProcessor } from './leased-processor.js';
import { paymentProcessors } from './payment-processors.js';
import { runningHubTaskProcessor } from './runninghub-task-processor.js';
import type { TaskSlots } from '../core/effects/runninghub/task-slots.js';
import type { ProcessorTable } from './processor-table.js';
import { retentionProcessors } from './retention-processors.js';

export interface ProcessorDeps {
  config: Readonly<Config>;
  db: Knex;
  queues: Queues;
  storage: ObjectStorage;
  logger: Logger;
  /** The effect providers this worker can run, by id. */
  providers: ReadonlyMap<string, EffectProvider>;
  /** Aborted when the worker stops and hands its jobs back. */
  shutdownSignal: AbortSignal;
  metrics: Metrics;
  paymentProviders: PaymentProviders;
  /** The account-wide RunningHub concurrency (RUNNINGHUB_CONCURRENCY), shared through Redis by every worker. */
  runningHubSlots: TaskSlots;
}

/**
 * One processor per job name of the queue registry (`core/queues/job-registry.ts`): a job added there gets its
 * processor here, and the type refuses a table that lacks one. A recurring chore's work runs under its lease.
 */
export function builtinProcessors(deps: ProcessorDeps): ProcessorTable {
  const { config, db, queues, logger } = deps;
  return {
    EffectRun: effectRunProcessor({ ...deps, maxClaims: config.jobs.attempts + config.jobs.maxTakeovers }),
    RunningHubTaskRun: runningHubTaskProcessor({ ...deps, slots: deps.runningHubSlots, settings: config.runninghub }),
    AcceptedJobsSweep: leasedProcessor({ db, logger }, 'AcceptedJobsSweep', acceptedJobsSweep({ db, queues, logger, graceMs: config.jobs.sweepGraceMs })),
    ...retentionProcessors(deps),
    ...paymentProcessors({ db, logger, metrics: deps.metrics, config, providers: deps.paymentProviders }),
  };
}
