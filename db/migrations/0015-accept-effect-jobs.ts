import type { Knex } from 'knex';

/**
 * Group commit of submissions: `accept_effect_jobs` accepts the requests of many concurrent submissions in one
 * statement and one commit, each exactly as `accept_effect_job` (0007) accepts one. Each request runs in a
 * subtransaction of its own, so a refusal (CS001–CS005, a reused idempotency key) undoes that request only and is
 * reported on its row — SQLSTATE, constraint and message — for the caller to raise as the single call would have.
 *
 * Requests are taken in user order: every batch then locks users in the same order, so two batches that share
 * users wait for each other instead of deadlocking, and a user's requests of one batch run one after the other in
 * one transaction, each seeing the ones before it (the in-flight cap and the balance hold as they did).
 *
 * Errors a subtransaction cannot catch (a statement timeout, a cancel) fail the whole statement, hence every
 * request it carried, as they failed each single call.
 */
export async function up(db: Knex): Promise<void> {
  await db.raw(`
    CREATE FUNCTION accept_effect_jobs(p_requests jsonb, p_idempotency_ttl_ms bigint, p_max_inflight integer)
      RETURNS TABLE (ord integer, error_code text, error_constraint text, error_message text, job effect_jobs)
      LANGUAGE plpgsql VOLATILE AS $$
    DECLARE
      r record;
      v_job effect_jobs;
    BEGIN
      FOR r IN
        SELECT * FROM jsonb_to_recordset(p_requests) AS x(ord integer, job_id uuid, user_id uuid, effect_id text, upload_id uuid,
                                                          params jsonb, idempotency_key text, fingerprint text, request_id text)
         ORDER BY x.user_id, x.ord
      LOOP
        ord := r.ord;
        BEGIN
          SELECT * INTO STRICT v_job FROM accept_effect_job(r.job_id, r.user_id, r.effect_id, r.upload_id, r.params,
                                                            r.idempotency_key, r.fingerprint, p_idempotency_ttl_ms,
                                                            r.request_id, p_max_inflight);
          error_code := NULL;
          error_constraint := NULL;
          error_message := NULL;
          job := v_job;
        EXCEPTION WHEN OTHERS THEN
          GET STACKED DIAGNOSTICS error_code = RETURNED_SQLSTATE, error_constraint = CONSTRAINT_NAME, error_message = MESSAGE_TEXT;
          job := NULL;
        END;
        RETURN NEXT;
      END LOOP;
    END $$
  `);
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP FUNCTION accept_effect_jobs(jsonb, bigint, integer)');
}
