import type { Knex } from 'knex';

/**
 * Accepting an effect request used to be eight round trips (two lookups, then BEGIN, user lock, in-flight count,
 * job insert, ledger insert, balance update, COMMIT). On the hot path that is most of the cost, so the same steps
 * run here as one function call: one statement, hence one transaction, and the caller sees all or nothing.
 *
 * Every statement in a VOLATILE plpgsql function takes a fresh snapshot, so the in-flight count below is read
 * after the user's row lock is held and a concurrent submission of the same user cannot slip past the cap (a
 * single CTE statement could not promise that: its one snapshot predates the lock).
 *
 * Refusals raise SQLSTATEs of class CS that `core/jobs/submit-effect-job.ts` maps to domain errors.
 */
export async function up(db: Knex): Promise<void> {
  // The cap check counts a user's unfinished jobs; without this it reads their whole history.
  await db.raw(`CREATE INDEX effect_jobs_user_unfinished ON effect_jobs (user_id) WHERE status IN ('queued', 'running')`);
  await db.raw(`
    CREATE FUNCTION accept_effect_job(
      p_job_id uuid,
      p_user_id uuid,
      p_effect_id text,
      p_upload_id uuid,
      p_params jsonb,
      p_idempotency_key text,
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

      INSERT INTO effect_jobs (id, user_id, effect_id, upload_id, params, cost_credits, idempotency_key, request_id)
        VALUES (p_job_id, p_user_id, p_effect_id, p_upload_id, p_params, v_cost, p_idempotency_key, p_request_id)
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
  `);
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP FUNCTION IF EXISTS accept_effect_job(uuid, uuid, text, uuid, jsonb, text, text, integer)');
  await db.raw('DROP INDEX IF EXISTS effect_jobs_user_unfinished');
}
