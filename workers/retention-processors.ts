import type { Job } from 'bullmq';
import type { Knex } from 'knex';
import type { Config } from '../config/index.js';
import type { Logger } from '../core/observability/logger.js';
import type { Metrics } from '../core/observability/metrics.js';
import type { Queues } from '../core/queues/queues.js';
import { RETENTION_CHORES, retentionChores, type RetentionChore } from '../core/retention/retention-chores.js';
import type { ObjectStorage } from '../core/storage/object-storage.js';
import { leasedProcessor } from './leased-processor.js';

export interface RetentionDeps {
  config: Readonly<Config>;
  db: Knex;
  queues: Queues;
  storage: ObjectStorage;
  logger: Logger;
  metrics: Metrics;
  shutdownSignal: AbortSignal;
}

/**
 * The processors of the retention chores. Each runs under its chore's lease (one run at a time across every
 * worker, and beside `npm run ops:cleanup`), stops between batches when the lease is lost or the worker is
 * stopping, and reports what it deleted — or, with CLEANUP_DRY_RUN, what it would have — in metrics and one log line.
 */
export function retentionProcessors(deps: RetentionDeps): Record<RetentionChore, (job: Job) => Promise<void>> {
  const { config, db, storage, logger, metrics } = deps;
  const settings = config.retention;
  const chores = retentionChores(deps);
  const processor = (name: RetentionChore) =>
    leasedProcessor({ db, logger }, name, async (leaseSignal) => {
      const signal = AbortSignal.any([leaseSignal, deps.shutdownSignal]);
      const started = Date.now();
      const report = await chores[name]({ db, storage, logger, batchSize: settings.batchSize, dryRun: settings.dryRun, signal });
      const counter = settings.dryRun ? metrics.cleanupWouldDelete : metrics.cleanupDeleted;
      for (const [kind, count] of Object.entries(report)) if (count > 0) counter.inc({ chore: name, kind }, count);
      logger.info(settings.dryRun ? 'retention dry run' : 'retention run', {
        chore: name,
        dryRun: settings.dryRun,
        [settings.dryRun ? 'wouldDelete' : 'deleted']: report,
        interrupted: signal.aborted,
        durationMs: Date.now() - started,
      });
    });
  return Object.fromEntries(RETENTION_CHORES.map((name) => [name, processor(name)])) as Record<RetentionChore, (job: Job) => Promise<void>>;
}
