import { join, resolve } from 'node:path';
import type { Knex } from 'knex';
import type { Config } from '../config/index.js';
import type { Logger } from '../core/observability/logger.js';
import type { Metrics } from '../core/observability/metrics.js';
import type { Queues } from '../core/queues/queues.js';
import type { ChoreContext, ChoreReport } from '../core/retention/chore-context.js';
import { expireResults } from '../core/retention/expire-results.js';
import { expireUploads } from '../core/retention/expire-uploads.js';
import { pruneRefreshTokens } from '../core/retention/prune-refresh-tokens.js';
import { sweepOrphanObjects } from '../core/retention/sweep-orphan-objects.js';
import { sweepTempFiles, type TempFileRule } from '../core/retention/sweep-temp-files.js';
import { sweepThumbnails } from '../core/retention/sweep-thumbnails.js';
import { trimFinishedJobs } from '../core/retention/trim-finished-jobs.js';
import { isLocalDiskStorage } from '../core/storage/local-disk-storage.js';
import type { ObjectStorage } from '../core/storage/object-storage.js';
import { UPLOAD_TEMP_PREFIX } from '../core/uploads/receive-image-stream.js';
import { leasedProcessor } from './leased-processor.js';

export type RetentionChore = 'UploadsExpire' | 'ResultsExpire' | 'OrphanObjectsSweep' | 'TempFilesSweep' | 'RefreshTokensPrune' | 'FinishedJobsTrim';

export interface RetentionDeps {
  config: Readonly<Config>;
  db: Knex;
  queues: Queues;
  storage: ObjectStorage;
  logger: Logger;
  metrics: Metrics;
  shutdownSignal: AbortSignal;
}

/** The folders this worker's crashed processes may have left temporary files in. */
function tempFileRules(config: Readonly<Config>, storage: ObjectStorage): TempFileRule[] {
  const rules: TempFileRule[] = [{ dir: config.retention.uploadTempDir, matches: (name) => name.startsWith(UPLOAD_TEMP_PREFIX), recursive: false }];
  // Local disk writes `<key>.<uuid>.partial` before renaming, and so does the thumbnail cache under `.thumbs`.
  if (isLocalDiskStorage(storage)) rules.push({ dir: join(resolve(config.storage.dir)), matches: (name) => name.endsWith('.partial'), recursive: true });
  return rules;
}

/**
 * The processors of the retention chores. Each runs under its chore's lease (one run at a time across every
 * worker), stops between batches when the lease is lost or the worker is stopping, and reports what it deleted —
 * or, with CLEANUP_DRY_RUN, what it would have — in metrics and one log line.
 */
export function retentionProcessors(deps: RetentionDeps): Record<RetentionChore, (job: import('bullmq').Job) => Promise<void>> {
  const { config, db, storage, logger, metrics } = deps;
  const settings = config.retention;
  const chore = (name: RetentionChore, work: (context: ChoreContext) => Promise<ChoreReport>) =>
    leasedProcessor({ db, logger }, name, async (leaseSignal) => {
      const signal = AbortSignal.any([leaseSignal, deps.shutdownSignal]);
      const started = Date.now();
      const report = await work({ db, storage, logger, batchSize: settings.batchSize, dryRun: settings.dryRun, signal });
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
  return {
    UploadsExpire: chore('UploadsExpire', expireUploads),
    ResultsExpire: chore('ResultsExpire', (context) => expireResults(context, settings.resultTtlMs)),
    OrphanObjectsSweep: chore('OrphanObjectsSweep', (context) => sweepOrphanObjects(context, settings.graceMs)),
    TempFilesSweep: chore('TempFilesSweep', async (context) => {
      const options = { graceMs: settings.graceMs, dryRun: context.dryRun, signal: context.signal };
      const report = await sweepTempFiles(tempFileRules(config, storage), options);
      // The thumbnail cache is local disk's (the API renders it beside the objects); other backends have none.
      if (isLocalDiskStorage(storage)) Object.assign(report, await sweepThumbnails(resolve(config.storage.dir), options));
      return report;
    }),
    RefreshTokensPrune: chore('RefreshTokensPrune', pruneRefreshTokens),
    FinishedJobsTrim: chore('FinishedJobsTrim', (context) =>
      trimFinishedJobs(Object.values(deps.queues.byName), {
        maxAgeMs: settings.finishedJobsMaxAgeMs,
        maxCount: settings.finishedJobsMaxCount,
        dryRun: context.dryRun,
        signal: context.signal,
      }),
    ),
  };
}
