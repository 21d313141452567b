import type { Knex } from 'knex';
import * as acceptEffectJobV1 from './0002-accept-effect-job.js';

/**
 * Idempotency keys expire and remember what they were used for. A key answers with its job only while it lives
 * (IDEMPOTENCY_KEY_TTL, 24 h by default) and only for the same request: the job row keeps a fingerprint of the
 * request (effect, upload, params), and a reuse with another body is refused by the caller.
 *
 * An expired key must not be blocked by the (user_id, idempotency_key) unique index: `accept_effect_job` releases
 * it from the old job (which keeps its history) before inserting the new one, under the same user lock that
 * serialises the user's submissions, so two requests cannot both take it.
 */
/** The function as this migration made it; migration 0007's down restores it. */
export const ACCEPT_EFFECT_JOB_0004 = `
    CREATE FUNCTION accept_effect_job(
      p_job_id uuid,
      p_user_id uuid,
      p_effect_id text,
      p_upload_id uuid,
      p_params jsonb,
      p_idempotency_key text,
      p_idempotency_fingerprint text,
      p_idempotency_ttl_ms bigint,
      p_request_id text,
      p_max_inflight integer
    ) RETURNS SETOF effect_jobs LANGUAGE plpgsql VOLATILE AS $$
    DECLARE
      v_cost integer;
      v_expires_at timestamptz;
      v_inflight integer;
      v_job effect_jobs;
    BEGIN
      SELECT cost_credits INTO v_cost FROM effects WHERE id = p_effect_id AND enabled;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'effect % is not available', p_effect_id USING ERRCODE = 'CS001';
      END IF;

      SELECT expires_at INTO v_expires_at FROM uploads WHERE id = p_upload_id AND user_id = p_user_id;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'upload not found' USING ERRCODE = 'CS002';
      END IF;
      IF v_expires_at < now() THEN
        RAISE EXCEPTION 'upload expired' USING ERRCODE = 'CS003';
      END IF;

      -- Serialises one user's submissions, so the count below cannot be raced past the cap.
      PERFORM 1 FROM users WHERE id = p_user_id FOR UPDATE;
      SELECT count(*) INTO v_inflight FROM effect_jobs
        WHERE user_id = p_user_id AND status IN ('queued', 'running');
      IF v_inflight >= p_max_inflight THEN
        RAISE EXCEPTION 'too many active jobs' USING ERRCODE = 'CS004';
      END IF;

      -- An expired key is free again: take it off the job that had it. A live one stays, and the insert below
      -- then fails on the unique index (the caller answers with that job, or refuses a different body).
      IF p_idempotency_key IS NOT NULL THEN
        UPDATE effect_jobs SET idempotency_key = NULL, updated_at = now()
          WHERE user_id = p_user_id AND idempotency_key = p_idempotency_key AND idempotency_expires_at <= now();
      END IF;

      INSERT INTO effect_jobs (id, user_id, effect_id, upload_id, params, cost_credits, idempotency_key,
                               idempotency_fingerprint, idempotency_expires_at, request_id)
        VALUES (p_job_id, p_user_id, p_effect_id, p_upload_id, p_params, v_cost, p_idempotency_key,
                CASE WHEN p_idempotency_key IS NULL THEN NULL ELSE p_idempotency_fingerprint END,
                CASE WHEN p_idempotency_key IS NULL THEN NULL ELSE now() + p_idempotency_ttl_ms * interval '1 millisecond' END,
                p_request_id)
        RETURNING * INTO v_job;

      -- The reservation, as core/credits/ledger.ts moves credits: a keyed ledger row plus the cached balance.
      INSERT INTO credit_ledger (user_id, delta, reason, idempotency_key)
        VALUES (p_user_id, -v_cost, 'job_reserve', 'job:' || p_job_id || ':reserve');
      UPDATE users SET credit_balance = credit_balance - v_cost
        WHERE id = p_user_id AND credit_balance >= v_cost;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'insufficient credits' USING ERRCODE = 'CS005';
      END IF;

      RETURN NEXT v_job;
    END $$
`;

export async function up(db: Knex): Promise<void> {
  await db.raw(`
    ALTER TABLE effect_jobs
      ADD COLUMN idempotency_fingerprint text,
      ADD COLUMN idempotency_expires_at timestamptz
  `);
  // Keys taken before this migration keep working for a day from their job, like new ones; they have no fingerprint.
  await db.raw(`UPDATE effect_jobs SET idempotency_expires_at = created_at + interval '24 hours' WHERE idempotency_key IS NOT NULL`);
  await db.raw(`
    ALTER TABLE effect_jobs ADD CONSTRAINT effect_jobs_idempotency_key_expires
      CHECK (idempotency_key IS NULL OR idempotency_expires_at IS NOT NULL)
  `);
  await db.raw('DROP FUNCTION accept_effect_job(uuid, uuid, text, uuid, jsonb, text, text, integer)');
  await db.raw(ACCEPT_EFFECT_JOB_0004);
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP FUNCTION IF EXISTS accept_effect_job(uuid, uuid, text, uuid, jsonb, text, text, bigint, text, integer)');
  await db.raw('ALTER TABLE effect_jobs DROP CONSTRAINT IF EXISTS effect_jobs_idempotency_key_expires');
  await db.raw('ALTER TABLE effect_jobs DROP COLUMN IF EXISTS idempotency_fingerprint, DROP COLUMN IF EXISTS idempotency_expires_at');
  // Back to the function as migration 0002 made it (with its index, which that migration's down drops first).
  await acceptEffectJobV1.down(db);
  await acceptEffectJobV1.up(db);
}
