import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../../config/index.js';
import { moveCredits } from '../credits/ledger.js';
import { findEnabledEffect } from '../effects/effect-catalog.js';
import { findLocalEffect } from '../effects/local/index.js';
import { DomainError, notFound, unavailable, validationFailed } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { Queues } from '../queues/queues.js';
import { findJobByIdempotencyKey, UNFINISHED, type EffectJobRow } from './effect-job-records.js';

export interface SubmitEffectJob {
  userId: string;
  effectId: string;
  uploadId: string;
  params: Record<string, unknown>;
  idempotencyKey?: string;
  requestId?: string;
}

export interface SubmitDeps {
  db: Knex;
  queues: Queues;
  config: Pick<Readonly<Config>, 'jobs'>;
  logger: Logger;
}

const isUniqueViolation = (error: unknown, constraint: string) =>
  (error as { code?: string; constraint?: string }).code === '23505' &&
  (error as { constraint?: string }).constraint === constraint;

function validateParams(effectId: string, params: Record<string, unknown>): Record<string, unknown> {
  const local = findLocalEffect(effectId);
  if (!local) return params;
  const parsed = local.params.safeParse(params);
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[['params', ...issue.path.map(String)].join('.')] ??= issue.message;
    throw validationFailed(`Effect parameters are invalid: check ${Object.keys(fields).join(', ')}`, { fields });
  }
  return parsed.data;
}

/**
 * Accepts an effect request: the job row and its credit reservation commit in ONE transaction, and only
 * then is the job enqueued under its own id. If the enqueue fails the row stays `queued` and the sweeper
 * enqueues it later; the caller is told the queue is unavailable.
 */
export async function submitEffectJob(deps: SubmitDeps, request: SubmitEffectJob): Promise<{ job: EffectJobRow; created: boolean }> {
  const { db } = deps;
  if (request.idempotencyKey) {
    const existing = await findJobByIdempotencyKey(db, request.userId, request.idempotencyKey);
    if (existing) return { job: existing, created: false };
  }
  // Independent lookups: one round trip's wait instead of two.
  const [effect, upload] = await Promise.all([
    findEnabledEffect(db, request.effectId),
    db('uploads')
      .where({ id: request.uploadId, user_id: request.userId })
      .first<{ id: string; storage_key: string; expires_at: Date } | undefined>('id', 'storage_key', 'expires_at'),
  ]);
  if (!effect) throw notFound('Effect');
  const params = validateParams(effect.id, request.params);
  if (!upload) throw notFound('Upload');
  if (upload.expires_at.getTime() < Date.now()) throw validationFailed('This upload has expired, please upload the photo again', { fields: { uploadId: 'expired' } });

  const id = randomUUID();
  let inserted: Omit<EffectJobRow, 'upload_key'> | undefined;
  try {
    await db.transaction(async (trx) => {
      // Serialises one user's submissions, so the in-flight count below cannot be raced past the cap.
      await trx('users').where('id', request.userId).forUpdate().first('id');
      const inflight = await trx('effect_jobs')
        .where('user_id', request.userId)
        .whereIn('status', UNFINISHED)
        .count<{ count: number }[]>({ count: '*' });
      if ((inflight[0]?.count ?? 0) >= deps.config.jobs.maxInflightPerUser) {
        throw new DomainError(
          'TOO_MANY_ACTIVE_JOBS',
          `You already have ${deps.config.jobs.maxInflightPerUser} effects in progress; wait for one to finish`,
          'validation',
          { maxInflight: deps.config.jobs.maxInflightPerUser, retryAfterSeconds: 5 },
        );
      }
      const rows = (await trx('effect_jobs').insert(
        {
        id,
        user_id: request.userId,
        effect_id: effect.id,
        upload_id: upload.id,
        params: JSON.stringify(params),
        cost_credits: effect.costCredits,
        idempotency_key: request.idempotencyKey ?? null,
        request_id: request.requestId ?? null,
        },
        '*',
      )) as Omit<EffectJobRow, 'upload_key'>[];
      inserted = rows[0];
      await moveCredits(trx, {
        userId: request.userId,
        delta: -effect.costCredits,
        reason: 'job_reserve',
        idempotencyKey: `job:${id}:reserve`,
      });
    });
  } catch (error) {
    // Two requests with the same key raced: the loser answers with the winner's job.
    if (request.idempotencyKey && isUniqueViolation(error, 'effect_jobs_user_id_idempotency_key_unique')) {
      const existing = await findJobByIdempotencyKey(db, request.userId, request.idempotencyKey);
      if (existing) return { job: existing, created: false };
    }
    throw error;
  }

  try {
    await deps.queues.add('EffectRun', { effectJobId: id, requestId: request.requestId, effectId: effect.id }, { jobId: id });
  } catch (error) {
    deps.logger.error('enqueue failed; the sweeper will enqueue the accepted job', { jobId: id, err: error });
    throw unavailable('queue', error);
  }
  // The committed row as the insert returned it, with the upload key findJob would have joined in.
  if (!inserted) throw new Error(`job ${id} was not returned by its insert`);
  return { job: { ...inserted, upload_key: upload.storage_key }, created: true };
}
