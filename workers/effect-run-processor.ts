import { UnrecoverableError, WaitingError, type Job } from 'bullmq';
import type { Knex } from 'knex';
import type { Config } from '../config/index.js';
import { infrastructureOutageOf } from '../core/errors.js';
import type { JobPayloads } from '../core/queues/job-registry.js';
import { PermanentJobError, runEffectJob } from '../core/jobs/run-effect-job.js';
import { createJobCommits } from '../core/jobs/job-commits.js';
import { finishJobWithRefund, markJobHandedBack, markJobRetrying } from '../core/jobs/effect-job-lifecycle.js';
import type { Logger } from '../core/observability/logger.js';
import type { ObjectStorage } from '../core/storage/object-storage.js';
import type { EffectProvider } from '../core/effects/effect-provider.js';

const USER_FACING_FAILURE = 'The effect could not be completed; your credits were refunded';

/**
 * BullMQ processor for `EffectRun`. The row is settled BEFORE BullMQ hears of the outcome, so whoever
 * reacts to the queue event (SSE watchers) reads the final state. Permanent errors fail at once; outages of
 * Postgres or Redis postpone the job without spending an attempt; others are retried with backoff, and the
 * last attempt's failure refunds the reservation (once, by ledger key).
 */
export function effectRunProcessor(deps: {
  db: Knex;
  storage: ObjectStorage;
  logger: Logger;
  providers: ReadonlyMap<string, EffectProvider>;
  shutdownSignal: AbortSignal;
  /** Attempts plus allowed takeovers: see `RunEffectDeps.maxClaims`. */
  maxClaims: number;
  config: Readonly<Config>;
}) {
  const commits = createJobCommits(deps.db);
  return async (job: Job<JobPayloads['EffectRun']>, token?: string): Promise<void> => {
    const { effectJobId } = job.data;
    try {
      const outcome = await runEffectJob(
        {
          db: deps.db,
          commits,
          storage: deps.storage,
          logger: deps.logger,
          providers: deps.providers,
          // Best effort: a lost progress event costs a watcher one refresh, while a failed one must not fail
          // the render (Redis may have lost the job under us; the row is what counts).
          notify: (progress) =>
            job.updateProgress(progress).catch((error: unknown) => {
              deps.logger.debug('progress event not sent', { effectJobId, err: error });
            }),
          signal: deps.shutdownSignal,
          maxClaims: deps.maxClaims,
          spoolDir: deps.config.storage.spoolDir,
        },
        effectJobId,
      );
      deps.logger.info(`effect job ${outcome}`, { effectJobId, attempt: job.attemptsMade + 1 });
    } catch (error) {
      if (deps.shutdownSignal.aborted && token) {
        // This worker is stopping: hand the job back untouched; it must not cost one of the job's attempts.
        await markJobHandedBack(deps.db, effectJobId);
        await job.moveToWait(token);
        deps.logger.info('effect job handed back at shutdown', { effectJobId });
        throw new WaitingError();
      }
      // Postgres, Redis or storage is down: nothing is settled and no attempt is spent; `postponeOnOutage` puts
      // the job back to wait for it. The claim is handed back where the database can still be reached, so a long
      // outage does not use up the takeover budget meant for dying workers.
      if (infrastructureOutageOf(error)) {
        await markJobHandedBack(deps.db, effectJobId).catch(() => undefined);
        throw error;
      }
      const permanent = error instanceof PermanentJobError;
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const code = permanent ? error.code : 'PROCESSING_FAILED';
      if (permanent || lastAttempt) {
        await finishJobWithRefund(deps.db, effectJobId, { status: 'failed', code, message: USER_FACING_FAILURE });
        await job.updateProgress(100).catch(() => undefined);
        deps.logger.error('effect job failed', { effectJobId, code, attempt: job.attemptsMade + 1, err: error });
        if (!permanent) throw error;
        // The cause keeps the error's class for the failure metrics and Sentry tags.
        throw Object.assign(new UnrecoverableError(`${code}: ${error.message}`), { cause: error });
      }
      await markJobRetrying(deps.db, effectJobId, { code, message: 'Something went wrong; retrying shortly' });
      await job.updateProgress(0).catch(() => undefined);
      deps.logger.warn('effect job attempt failed, will retry', { effectJobId, attempt: job.attemptsMade + 1, err: error });
      throw error;
    }
  };
}
