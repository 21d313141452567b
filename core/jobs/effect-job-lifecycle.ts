import type { Knex } from 'knex';
import { moveCredits } from '../credits/ledger.js';
import { UNFINISHED, type EffectJobRow } from './effect-job-records.js';

/**
 * State changes of an effect job. Each is one conditional UPDATE, so a late or duplicate caller (a second
 * worker after a stall, the sweeper, a cancel racing completion) changes nothing once the job is final.
 */

/** A claimed job: its row, the upload's key, and its effect as the catalog describes it (looked up once, here). */
export interface ClaimedJob extends EffectJobRow {
  effect_provider: string;
  effect_cost_credits: number;
  effect_params_schema: Record<string, unknown>;
  /** The upload is past its expiry (its object is gone, or about to be): the job cannot run. */
  upload_expired: boolean;
}

/**
 * Marks the job running and returns its row with the upload key and its effect, in one statement; undefined when
 * there is no unfinished job of that id (canceled while waiting, finished by another worker, or no row at all).
 */
export async function claimJob(db: Knex, jobId: string): Promise<ClaimedJob | undefined> {
  const result: { rows: ClaimedJob[] } = await db.raw(
    `UPDATE effect_jobs AS j
        SET status = 'running', started_at = coalesce(j.started_at, now()), attempts = j.attempts + 1,
            error_code = NULL, error_message = NULL, updated_at = now()
       FROM uploads AS u, effects AS e
      WHERE j.id = ? AND j.status = ANY(?::job_status[]) AND u.id = j.upload_id AND e.id = j.effect_id
      RETURNING j.*, u.storage_key AS upload_key, e.provider AS effect_provider, e.cost_credits AS effect_cost_credits,
                e.params_schema AS effect_params_schema, (u.expired_at IS NOT NULL OR u.expires_at <= now()) AS upload_expired`,
    [jobId, [...UNFINISHED]],
  );
  return result.rows[0];
}

/** What a provider recorded about its (remote) work on this job, kept while the job runs; see `ProviderContext`. */
export async function saveProviderState(db: Knex, jobId: string, state: Record<string, unknown>): Promise<void> {
  await db('effect_jobs').where({ id: jobId, status: 'running' }).update({ provider_state: JSON.stringify(state), updated_at: db.fn.now() });
}

export async function recordJobProgress(db: Knex, jobId: string, progress: number): Promise<void> {
  await db('effect_jobs')
    .where({ id: jobId, status: 'running' })
    .andWhere('progress', '<', progress)
    .update({ progress, updated_at: db.fn.now() });
}

/** A retry is coming: show the job as waiting again, with what went wrong. */
export async function markJobRetrying(db: Knex, jobId: string, error: { code: string; message: string }): Promise<void> {
  await db('effect_jobs')
    .where({ id: jobId, status: 'running' })
    .update({ status: 'queued', progress: 0, error_code: error.code, error_message: error.message, updated_at: db.fn.now() });
}

/** A stopping worker gave the job back: it waits again, as if never started (its claim is not counted). */
export async function markJobHandedBack(db: Knex, jobId: string): Promise<void> {
  await db('effect_jobs')
    .where({ id: jobId, status: 'running' })
    .update({ status: 'queued', progress: 0, attempts: db.raw('greatest(attempts - 1, 0)'), updated_at: db.fn.now() });
}

export async function markJobSucceeded(
  db: Knex,
  jobId: string,
  result: { key: string; width: number; height: number; mime: string },
): Promise<boolean> {
  const updated = await db('effect_jobs')
    .where('id', jobId)
    .whereIn('status', UNFINISHED)
    .update({
      status: 'succeeded',
      progress: 100,
      result_key: result.key,
      result_width: result.width,
      result_height: result.height,
      result_mime: result.mime,
      error_code: null,
      error_message: null,
      finished_at: db.fn.now(),
      updated_at: db.fn.now(),
    });
  return updated > 0;
}

/**
 * Ends an unfinished job as failed or canceled and refunds its reservation, in one transaction.
 * The refund's ledger key makes it happen once however many paths reach here.
 */
export async function finishJobWithRefund(
  db: Knex,
  jobId: string,
  outcome: { status: 'failed' | 'canceled'; code: string; message: string },
  scope: { userId?: string } = {},
): Promise<boolean> {
  return db.transaction(async (trx) => {
    const query = trx('effect_jobs').where('id', jobId).whereIn('status', UNFINISHED);
    if (scope.userId) query.andWhere('user_id', scope.userId);
    const rows: { user_id: string; cost_credits: number }[] = await query
      .update({
        status: outcome.status,
        error_code: outcome.code,
        error_message: outcome.message,
        finished_at: trx.fn.now(),
        updated_at: trx.fn.now(),
      })
      .returning(['user_id', 'cost_credits']);
    const row = rows[0];
    if (!row) return false;
    await moveCredits(trx, {
      userId: row.user_id,
      delta: row.cost_credits,
      reason: 'job_refund',
      idempotencyKey: `job:${jobId}:refund`,
    });
    return true;
  });
}
