import type { Knex } from 'knex';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';

export const UNFINISHED: readonly JobStatus[] = ['queued', 'running'];

/** An effect_jobs row as read for views and workers, with the upload's storage key joined in. */
export interface EffectJobRow {
  id: string;
  user_id: string;
  effect_id: string;
  upload_id: string;
  upload_key: string;
  params: Record<string, unknown>;
  status: JobStatus;
  progress: number;
  cost_credits: number;
  idempotency_key: string | null;
  /** Hash of the request the key was used for (see request-fingerprint.ts); null for keys older than fingerprints. */
  idempotency_fingerprint: string | null;
  idempotency_expires_at: Date | null;
  request_id: string | null;
  attempts: number;
  result_key: string | null;
  result_width: number | null;
  result_height: number | null;
  result_mime: string | null;
  error_code: string | null;
  error_message: string | null;
  /** What the effect's provider recorded to resume its work on a later attempt (a remote task id). */
  provider_state: Record<string, unknown> | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  updated_at: Date;
}

const selectJob = (db: Knex) =>
  db('effect_jobs as j')
    .join('uploads as u', 'u.id', 'j.upload_id')
    .select('j.*', 'u.storage_key as upload_key');

export async function findJob(db: Knex, id: string): Promise<EffectJobRow | undefined> {
  return selectJob(db).where('j.id', id).first<EffectJobRow | undefined>();
}

export async function jobExists(db: Knex, id: string): Promise<boolean> {
  return (await db('effect_jobs').where('id', id).first('id')) !== undefined;
}

/** Another user's job is indistinguishable from a missing one. */
export async function findOwnJob(db: Knex, userId: string, id: string): Promise<EffectJobRow | undefined> {
  return selectJob(db).where({ 'j.id': id, 'j.user_id': userId }).first<EffectJobRow | undefined>();
}

/** Of the given jobs, those whose rows changed within the last `withinMs` (by the database's clock). */
export async function recentlyChangedJobs(db: Knex, ids: readonly string[], withinMs: number): Promise<string[]> {
  const rows = await db('effect_jobs')
    .select('id')
    // One array parameter however many jobs are watched (an IN list is capped at 65,535 parameters).
    .whereRaw('id = ANY(?::uuid[])', [ids as string[]])
    .andWhereRaw('updated_at > now() - make_interval(secs => ?)', [withinMs / 1000]);
  return rows.map((row: { id: string }) => row.id);
}

/** The job this user's key still answers with: an expired key belongs to no job any more. */
export async function findJobByIdempotencyKey(db: Knex, userId: string, key: string): Promise<EffectJobRow | undefined> {
  return selectJob(db)
    .where({ 'j.user_id': userId, 'j.idempotency_key': key })
    .andWhere('j.idempotency_expires_at', '>', db.fn.now())
    .first<EffectJobRow | undefined>();
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
  return query.limit(limit);
}

/** Unfinished jobs older than the grace period, oldest first: the sweeper's work list. */
export async function listUnfinishedJobs(db: Knex, olderThan: Date, limit: number): Promise<Pick<EffectJobRow, 'id' | 'status' | 'request_id'>[]> {
  return db('effect_jobs')
    .select('id', 'status', 'request_id')
    .whereIn('status', UNFINISHED)
    .andWhere('created_at', '<', olderThan)
    .orderBy('created_at')
    .limit(limit);
}
