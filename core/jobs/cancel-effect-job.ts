import { effectJobName, runNextStepNow } from './enqueue-effect-job.js';
import type { Knex } from 'knex';
import { conflict, notFound } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { Queues } from '../queues/queues.js';
import { findOwnJob, type EffectJobRow } from './effect-job-records.js';
import { finishJobWithRefund } from './effect-job-lifecycle.js';

/**
 * Cancels a queued or running job of this user and refunds it. A running job's worker finds the row
 * final when it tries to store its result, and discards the result.
 */
export async function cancelEffectJob(
  deps: { db: Knex; queues: Queues; logger: Logger },
  userId: string,
  jobId: string,
): Promise<EffectJobRow> {
  const canceled = await finishJobWithRefund(
    deps.db,
    jobId,
    { status: 'canceled', code: 'CANCELED', message: 'Canceled by you; credits refunded' },
    { userId },
  );
  const job = await findOwnJob(deps.db, userId, jobId);
  if (!job) throw notFound('Job');
  if (!canceled) throw conflict(`This job is already ${job.status} and can no longer be canceled`, { status: job.status });
  if (effectJobName(job.effect_id) === 'RunningHubTaskRun') {
    // Its next step must run now: it finds the row canceled, cancels the remote task and frees the slot.
    await runNextStepNow(deps.queues, job.effect_id, jobId).catch((error: unknown) => {
      deps.logger.warn('could not hasten the remote cancel; the next look will send it', { jobId, err: error });
    });
    return job;
  }
  // Best effort: a waiting job is dropped from the queue; an active one is locked and finishes harmlessly.
  await deps.queues.queueOf('EffectRun').remove(jobId).catch((error: unknown) => {
    deps.logger.debug('queue removal after cancel skipped', { jobId, err: error });
  });
  return job;
}
