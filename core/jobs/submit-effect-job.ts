import { enqueueEffectJob } from './enqueue-effect-job.js';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../../config/index.js';
import type { EffectCatalogCache } from '../effects/effect-catalog.js';
import type { ProviderAvailability } from '../effects/effect-providers.js';
import { validateEffectParams } from '../effects/params-validation.js';
import { DomainError, notFound, validationFailed } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { Queues } from '../queues/queues.js';
import { findJobByIdempotencyKey, type EffectJobRow } from './effect-job-records.js';
import { effectRequestFingerprint } from './request-fingerprint.js';
import { acceptJobAlone, type AcceptJob } from './job-acceptances.js';

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
  config: { jobs: Pick<Readonly<Config>['jobs'], 'maxInflightPerUser' | 'idempotencyKeyTtlMs'> };
  logger: Logger;
  /**
   * Commits the job row and its reservation: the API's group commit (`createJobAcceptances`), which shares one
   * statement among the requests of a tick. Without it each request commits alone.
   */
  acceptJob?: AcceptJob;
  /** The catalog (for each effect's provider and params schema) and which providers this process can run. */
  effects: { catalog: Pick<EffectCatalogCache, 'find'>; availability: ProviderAvailability };
}

const isUniqueViolation = (error: unknown, constraint: string) =>
  (error as { code?: string; constraint?: string }).code === '23505' &&
  (error as { constraint?: string }).constraint === constraint;

/**
 * The effect's params as they will be stored, checked against its catalog schema whatever its provider; refuses an
 * effect whose provider this deployment cannot run now, before anything is reserved.
 */
async function acceptableParams(deps: SubmitDeps, effectId: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  const effect = await deps.effects.catalog.find(effectId);
  if (!effect) throw notFound('Effect');
  const reason = deps.effects.availability.unavailableReason(effect.provider);
  if (reason !== undefined)
    throw new DomainError('PROVIDER_UNAVAILABLE', 'This effect is not available right now', 'validation', { effectId, reason });
  return validateEffectParams(effect.params, params);
}

/** The refusals `accept_effect_job` (migration 0002) raises, by SQLSTATE. */
function refusalOf(error: unknown, maxInflight: number): DomainError | undefined {
  switch ((error as { code?: unknown }).code) {
    case 'CS001':
      return notFound('Effect');
    case 'CS002':
      return notFound('Upload');
    case 'CS003':
      return validationFailed('This upload has expired, please upload the photo again', { fields: { uploadId: 'expired' } });
    case 'CS004':
      return new DomainError('TOO_MANY_ACTIVE_JOBS', `You already have ${maxInflight} effects in progress; wait for one to finish`, 'validation', {
        maxInflight,
        retryAfterSeconds: 5,
      });
    case 'CS005':
      return new DomainError('INSUFFICIENT_CREDITS', 'Not enough credits for this effect', 'validation');
    default:
      return undefined;
  }
}

/**
 * The job a live key answers with — only for the request it was used for. Keys made before fingerprints were
 * stored have none and keep answering as they did.
 */
function replayOf(existing: EffectJobRow, fingerprint: string): { job: EffectJobRow; created: false } {
  if (existing.idempotency_fingerprint && existing.idempotency_fingerprint !== fingerprint)
    throw new DomainError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used for a different request; use a new key for a new request',
      'validation',
    );
  return { job: existing, created: false };
}

/**
 * Accepts an effect request: the job row and its credit reservation commit in ONE transaction (one call of the
 * database function `accept_effect_job`, possibly batched with concurrent requests, which also checks the effect, the upload and the in-flight cap), and
 * only then is the job enqueued under its own id. Once the row is committed the request is accepted whatever
 * Redis does: if the enqueue fails, the row stays `queued` and the sweeper enqueues it within about two sweep
 * intervals. Answering an error instead would invite a retry, and a retry without the same key charges twice.
 */
export async function submitEffectJob(deps: SubmitDeps, request: SubmitEffectJob): Promise<{ job: EffectJobRow; created: boolean }> {
  const { db } = deps;
  const fingerprint = request.idempotencyKey ? effectRequestFingerprint(request) : null;
  if (request.idempotencyKey && fingerprint) {
    const existing = await findJobByIdempotencyKey(db, request.userId, request.idempotencyKey);
    if (existing) return replayOf(existing, fingerprint);
  }
  const params = await acceptableParams(deps, request.effectId, request.params);
  const maxInflight = deps.config.jobs.maxInflightPerUser;

  const id = randomUUID();
  let job: EffectJobRow | undefined;
  try {
    const accept = deps.acceptJob ?? acceptJobAlone(db);
    job = await accept(
      {
        jobId: id,
        userId: request.userId,
        effectId: request.effectId,
        uploadId: request.uploadId,
        params,
        idempotencyKey: request.idempotencyKey ?? null,
        fingerprint,
        requestId: request.requestId ?? null,
      },
      { idempotencyKeyTtlMs: deps.config.jobs.idempotencyKeyTtlMs, maxInflight },
    );
  } catch (error) {
    const refusal = refusalOf(error, maxInflight);
    if (refusal) throw refusal;
    // Two requests with the same key raced: the loser answers with the winner's job (or refuses another body).
    if (request.idempotencyKey && fingerprint && isUniqueViolation(error, 'effect_jobs_user_id_idempotency_key_unique')) {
      const existing = await findJobByIdempotencyKey(db, request.userId, request.idempotencyKey);
      if (existing) return replayOf(existing, fingerprint);
    }
    throw error;
  }
  if (!job) throw new Error(`job ${id} was not returned by accept_effect_job`);

  try {
    await enqueueEffectJob(deps.queues, { id, requestId: request.requestId, effectId: job.effect_id });
  } catch (error) {
    deps.logger.warn('enqueue failed; the job is accepted and the sweeper will enqueue it', { jobId: id, err: error });
  }
  return { job, created: true };
}
