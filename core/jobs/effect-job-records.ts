import type { Knex } from 'knex';
import { EffectJob, UNFINISHED_STATUSES, type EffectJobColumns } from '../../db/models/effect-job.js';

export { JOB_STATUSES, UNFINISHED_STATUSES as UNFINISHED, type JobStatus } from '../../db/models/effect-job.js';

/** An effect_jobs row (as the model declares it) with the upload's storage key joined in. */
export type EffectJobRow = EffectJobColumns & { upload_key: string; upload_expired_at: Date | null };

/** Jobs with their upload's key, through the model: the one repository of effect jobs. */
const selectJob = (db: Knex) =>
  EffectJob.query(db).alias('j').join('uploads as u', 'u.id', 'j.upload_id').select('j.*', 'u.storage_key as upload_key', 'u.expired_at as upload_expired_at');

const asRow = (job: EffectJob | undefined) => job as EffectJobRow | undefined;

export async function findJob(db: Knex, id: string): Promise<EffectJobRow | undefined> {
  return asRow(await selectJob(db).where('j.id', id).first());
}

export async function jobExists(db: Knex, id: string): Promise<boolean> {
  return (await EffectJob.query(db).findById(id).select('id')) !== undefined;
}

/** Another user's job is indistinguishable from a missing one. */
export async function findOwnJob(db: Knex, userId: string, id: string): Promise<EffectJobRow | undefined> {
  return asRow(await selectJob(db).where({ 'j.id': id, 'j.user_id': userId }).first());
}

/** Of the given jobs, those whose rows changed within the last `withinMs` (by the database's clock). */
export async function recentlyChangedJobs(db: Knex, ids: readonly string[], withinMs: number): Promise<string[]> {
  const rows = await EffectJob.query(db)
    .select('id')
    // One array parameter however many jobs are watched (an IN list is capped at 65,535 parameters).
    .whereRaw('id = ANY(?::uuid[])', [ids as string[]])
    .andWhereRaw('updated_at > now() - make_interval(secs => ?)', [withinMs / 1000]);
  return rows.map((row) => row.id);
}

/** The job this user's key still answers with: an expired key belongs to no job any more. */
export async function findJobByIdempotencyKey(db: Knex, userId: string, key: string): Promise<EffectJobRow | undefined> {
  return asRow(
    await selectJob(db)
      .where({ 'j.user_id': userId, 'j.idempotency_key': key })
      .andWhere('j.idempotency_expires_at', '>', db.fn.now())
      .first(),
  );
}

/**
 * Keyset page, newest first, after the job `beforeId` (the last of the previous page). The position is read
 * from that row in SQL, because created_at has microseconds that a JS Date would round away.
 */
export async function listOwnJobs(db: Knex, userId: string, limit: number, beforeId?: string): Promise<EffectJobRow[]> {
  const query = selectJob(db).where('j.user_id', userId).orderBy([
    { column: 'j.created_at', order: 'desc' },
    { column: 'j.id', order: 'desc' },
  ]);
  if (beforeId)
    query.whereRaw('(j.created_at, j.id) < (SELECT created_at, id FROM effect_jobs WHERE id = ? AND user_id = ?)', [beforeId, userId]);
  return (await query.limit(limit)) as unknown as EffectJobRow[];
}

/** Unfinished jobs older than the grace period, oldest first: the sweeper's work list. */
export async function listUnfinishedJobs(db: Knex, olderThan: Date, limit: number): Promise<Pick<EffectJobRow, 'id' | 'status' | 'request_id' | 'effect_id'>[]> {
  return EffectJob.query(db)
    .select('id', 'status', 'request_id', 'effect_id')
    .whereIn('status', UNFINISHED_STATUSES)
    .andWhere('created_at', '<', olderThan)
    .orderBy('created_at')
    .limit(limit);
}
