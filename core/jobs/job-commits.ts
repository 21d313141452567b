import type { Knex } from 'knex';
import { claimJob, type ClaimedJob } from './effect-job-lifecycle.js';
import { UNFINISHED } from './effect-job-records.js';
import { createGroupCommit } from '../batching/group-commit.js';

/**
 * The two writes every effect job makes — its claim and its completion — as group commits: the jobs one worker
 * runs concurrently share one statement (and one commit) per step instead of paying one each. Each statement is
 * the single-job one over many ids: every row keeps its own condition, so a row already final is left alone and
 * its caller hears so, exactly as before.
 *
 * Rows are locked in id order first: two workers' batches that share a job (a stalled job taken over while its
 * first worker still runs) then wait for each other instead of deadlocking.
 *
 * Named (prepared once per pooled connection), hence every column listed: a prepared statement fails once its
 * result type changes, and a migration adding a column must not break the workers already running.
 */
const CLAIM_JOBS = `
  WITH locked AS (
    SELECT id FROM effect_jobs WHERE id = ANY(?::uuid[]) AND status = ANY(?::job_status[]) ORDER BY id FOR UPDATE
  )
  UPDATE effect_jobs AS j
     SET status = 'running', started_at = coalesce(j.started_at, now()), attempts = j.attempts + 1,
         error_code = NULL, error_message = NULL, updated_at = now()
    FROM locked AS l, uploads AS u, effects AS e
   WHERE j.id = l.id AND u.id = j.upload_id AND e.id = j.effect_id
  RETURNING j.id, j.user_id, j.effect_id, j.upload_id, j.params, j.status, j.progress, j.cost_credits, j.idempotency_key,
            j.idempotency_fingerprint, j.idempotency_expires_at, j.request_id, j.attempts, j.result_key, j.result_width,
            j.result_height, j.result_mime, j.error_code, j.error_message, j.provider_state, j.expired_at, j.created_at,
            j.started_at, j.finished_at, j.updated_at, u.storage_key AS upload_key, u.expired_at AS upload_expired_at,
            e.provider AS effect_provider, e.cost_credits AS effect_cost_credits, e.params_schema AS effect_params_schema,
            (u.expired_at IS NOT NULL OR u.expires_at <= now()) AS upload_expired`;

const SUCCEED_JOBS = `
  WITH done AS (
    SELECT * FROM unnest(?::uuid[], ?::text[], ?::integer[], ?::integer[], ?::text[]) AS d(id, result_key, width, height, mime)
  ), locked AS (
    SELECT j.id FROM effect_jobs AS j JOIN done AS d ON d.id = j.id
     WHERE j.status = ANY(?::job_status[]) ORDER BY j.id FOR UPDATE OF j
  )
  UPDATE effect_jobs AS j
     SET status = 'succeeded', progress = 100, result_key = d.result_key, result_width = d.width, result_height = d.height,
         result_mime = d.mime, error_code = NULL, error_message = NULL, finished_at = now(), updated_at = now()
    FROM done AS d, locked AS l
   WHERE j.id = d.id AND j.id = l.id
  RETURNING j.id`;

/** A job's stored result, as its row records it. */
export interface JobResult {
  key: string;
  width: number;
  height: number;
  mime: string;
}

/** Marks the unfinished jobs among `ids` running; returns the claimed rows (jobs not returned were not claimable). */
export async function claimJobs(db: Knex, ids: readonly string[]): Promise<ClaimedJob[]> {
  const result = await db.raw<{ rows: ClaimedJob[] }>(CLAIM_JOBS, [ids as string[], [...UNFINISHED]]).options({ name: 'cosnap_claim_jobs_v1' });
  return result.rows;
}

/** Marks the unfinished jobs among `done` succeeded with their results; returns the ids that were (the others were final). */
export async function markJobsSucceeded(db: Knex, done: readonly { jobId: string; result: JobResult }[]): Promise<Set<string>> {
  const result = await db
    .raw<{ rows: { id: string }[] }>(SUCCEED_JOBS, [
      done.map((item) => item.jobId),
      done.map((item) => item.result.key),
      done.map((item) => item.result.width),
      done.map((item) => item.result.height),
      done.map((item) => item.result.mime),
      [...UNFINISHED],
    ])
    .options({ name: 'cosnap_succeed_jobs_v1' });
  return new Set(result.rows.map((row) => row.id));
}

/** How the worker writes claims and completions: `claimJob` and `markJobSucceeded`, one statement per batch. */
export interface JobCommits {
  /** The job's row, now running; undefined when there is no unfinished job of that id. */
  claim(jobId: string): Promise<ClaimedJob | undefined>;
  /** True when this call finished the job; false when it was final already (canceled, or finished elsewhere). */
  succeed(jobId: string, result: JobResult): Promise<boolean>;
}

export interface JobCommitOptions {
  /**
   * Jobs per statement at most.
   * @defaultValue 64
   */
  maxBatch?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createJobCommits(db: Knex, options: JobCommitOptions = {}): JobCommits {
  const maxBatch = options.maxBatch ?? 64;
  const claims = createGroupCommit<string, ClaimedJob | undefined>(
    async (ids) => {
      const rows = new Map((await claimJobs(db, ids)).map((row) => [row.id, row]));
      return ids.map((id) => rows.get(id));
    },
    { maxBatch, keyOf: (id) => id },
  );
  const completions = createGroupCommit<{ jobId: string; result: JobResult }, boolean>(
    async (done) => {
      const won = await markJobsSucceeded(db, done);
      return done.map((item) => won.has(item.jobId));
    },
    { maxBatch, keyOf: (item) => item.jobId },
  );
  return {
    // An id that is no uuid fails its statement; alone, it fails only its own job.
    claim: (jobId) => (UUID.test(jobId) ? claims.run(jobId) : claimJob(db, jobId)),
    succeed: (jobId, result) => completions.run({ jobId, result }),
  };
}
