import type { Knex } from 'knex';
import { DomainError, notFound } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { Queues } from '../queues/queues.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { cancelEffectJob } from './cancel-effect-job.js';
import { findOwnJob, UNFINISHED } from './effect-job-records.js';

/**
 * Deletes one of the user's creations: the job row, its result, and its photo when no other job of theirs uses it.
 * A queued or running job is canceled first (and refunded, once); a render still running finds no row when it
 * stores its result and deletes that result itself (`run-effect-job.ts`). The ledger keeps its `job:<id>:*` rows.
 *
 * Rows go in one transaction, objects after it: an object whose delete fails has no row any more, and the orphan
 * sweep removes it.
 */
export async function deleteEffectJob(
  deps: { db: Knex; queues: Queues; storage: ObjectStorage; logger: Logger },
  userId: string,
  jobId: string,
): Promise<void> {
  const job = await findOwnJob(deps.db, userId, jobId);
  if (!job) throw notFound('Job');
  if (UNFINISHED.includes(job.status)) {
    await cancelEffectJob(deps, userId, jobId).catch((error: unknown) => {
      // It finished on its own meanwhile: nothing left to cancel, and it is deleted all the same.
      if (!(error instanceof DomainError && error.code === 'CONFLICT')) throw error;
    });
  }
  const keys = await deps.db.transaction(async (trx) => {
    const [deleted]: { result_key: string | null; upload_id: string }[] = await trx('effect_jobs')
      .where({ id: jobId, user_id: userId })
      .del()
      .returning(['result_key', 'upload_id']);
    if (!deleted) return [];
    const uploads: { storage_key: string }[] = await trx('uploads')
      .where({ id: deleted.upload_id, user_id: userId })
      .whereNotExists(trx('effect_jobs').where('upload_id', deleted.upload_id).select(trx.raw('1')))
      .del()
      .returning('storage_key');
    return [...(deleted.result_key ? [deleted.result_key] : []), ...uploads.map((upload) => upload.storage_key)];
  });
  if (!keys.length) return;
  await deps.storage.deleteMany(keys).catch((error: unknown) => {
    deps.logger.warn('objects of a deleted job left for the orphan sweep', { jobId, err: error });
  });
}
