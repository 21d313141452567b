import type { Knex } from 'knex';
import { ACCEPT_EFFECT_JOB_0004 } from './0004-idempotency-key-expiry.js';

/**
 * Credit movements follow one set of rules, written once, here: `move_credits` appends a keyed ledger row and moves
 * the cached balance, or does nothing when the key was used already (returns false), or refuses a movement that
 * would take the balance below zero (SQLSTATE CS005, which callers map to INSUFFICIENT_CREDITS). Both
 * `core/credits/ledger.ts` (refunds, grants, purchases) and `accept_effect_job` (reservations) call it, so the
 * rules cannot drift apart. It runs in the caller's transaction; a refusal aborts it.
 */
export async function up(db: Knex): Promise<void> {
  await db.raw(`
    CREATE FUNCTION move_credits(p_user_id uuid, p_delta integer, p_reason ledger_reason, p_idempotency_key text)
      RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
      INSERT INTO credit_ledger (user_id, delta, reason, idempotency_key)
        VALUES (p_user_id, p_delta, p_reason, p_idempotency_key)
        ON CONFLICT (idempotency_key) DO NOTHING;
      IF NOT FOUND THEN
        RETURN false;
      END IF;
      UPDATE users SET credit_balance = credit_balance + p_delta
        WHERE id = p_user_id AND credit_balance >= greatest(0, -p_delta);
      IF NOT FOUND THEN
        RAISE EXCEPTION 'insufficient credits' USING ERRCODE = 'CS005';
      END IF;
      RETURN true;
    END $$
  `);
  await db.raw(`
    CREATE OR REPLACE FUNCTION accept_effect_job(
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

      -- The reservation, by the one set of credit rules (move_credits). The job id is new, so its key is too.
      IF NOT move_credits(p_user_id, -v_cost, 'job_reserve', 'job:' || p_job_id || ':reserve') THEN
        RAISE EXCEPTION 'reservation of job % already made', p_job_id;
      END IF;

      RETURN NEXT v_job;
    END $$
`);
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP FUNCTION accept_effect_job(uuid, uuid, text, uuid, jsonb, text, text, bigint, text, integer)');
  await db.raw(ACCEPT_EFFECT_JOB_0004);
  await db.raw('DROP FUNCTION move_credits(uuid, integer, ledger_reason, text)');
}
