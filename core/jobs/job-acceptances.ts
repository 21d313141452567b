import type { Knex } from 'knex';
import { createGroupCommit } from '../batching/group-commit.js';
import type { EffectJobRow } from './effect-job-records.js';

/** One accepted request's arguments to `accept_effect_job` (migration 0007). */
export interface Acceptance {
  jobId: string;
  userId: string;
  effectId: string;
  uploadId: string;
  params: Record<string, unknown>;
  idempotencyKey: string | null;
  fingerprint: string | null;
  requestId: string | null;
}

export interface AcceptanceSettings {
  idempotencyKeyTtlMs: number;
  maxInflight: number;
}

/** Commits an accepted request: its job row (with the upload's key) and its reservation, or the refusal as thrown. */
export type AcceptJob = (request: Acceptance, settings: AcceptanceSettings) => Promise<EffectJobRow | undefined>;

/** A refusal or failure of one request of a batch, shaped as the driver shapes it (SQLSTATE, constraint, severity). */
class AcceptanceError extends Error {
  readonly severity = 'ERROR';
  constructor(
    readonly code: string,
    readonly constraint: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'error';
  }
}

/** One request on its own: a statement and a commit for it alone. */
export const acceptJobAlone = (db: Knex): AcceptJob =>
  async (request, settings) => {
    const result: { rows: EffectJobRow[] } = await db.raw(
      `SELECT j.*, u.storage_key AS upload_key
         FROM accept_effect_job(?::uuid, ?::uuid, ?, ?::uuid, ?::jsonb, ?, ?, ?, ?, ?) AS j
         JOIN uploads u ON u.id = j.upload_id`,
      [
        request.jobId,
        request.userId,
        request.effectId,
        request.uploadId,
        JSON.stringify(request.params),
        request.idempotencyKey,
        request.fingerprint,
        settings.idempotencyKeyTtlMs,
        request.requestId,
        settings.maxInflight,
      ],
    );
    return result.rows[0];
  };

// Named (prepared once per pooled connection), hence every column listed: a prepared statement fails once its
// result type changes, and a migration adding a column must not break the API processes already running.
const JOB_COLUMNS = [
  'id', 'user_id', 'effect_id', 'upload_id', 'params', 'status', 'progress', 'cost_credits', 'idempotency_key', 'idempotency_fingerprint',
  'idempotency_expires_at', 'request_id', 'attempts', 'result_key', 'result_width', 'result_height', 'result_mime', 'error_code',
  'error_message', 'provider_state', 'expired_at', 'created_at', 'started_at', 'finished_at', 'updated_at',
];
const ACCEPT_EFFECT_JOBS = `
  SELECT ${JOB_COLUMNS.map((column) => `(a.job).${column}`).join(', ')}, u.storage_key AS upload_key, a.ord AS refusal_ord, a.error_code AS refusal_code,
         a.error_constraint AS refusal_constraint, a.error_message AS refusal_message
    FROM accept_effect_jobs(?::jsonb, ?, ?) AS a
    LEFT JOIN uploads u ON u.id = (a.job).upload_id`;

// Named apart from the job's own columns (`error_code`, `error_message`), which the row carries too.
type BatchRow = EffectJobRow & { refusal_ord: number; refusal_code: string | null; refusal_constraint: string | null; refusal_message: string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Group commit of submissions (`accept_effect_jobs`, migration 0015): the requests an API process takes in one
 * tick share one statement and one commit, so a burst holds a few pooled connections instead of one per request —
 * each waiting on its user's row lock while the requests behind it wait for a connection. Each request is accepted
 * or refused exactly as alone; a statement that fails fails every request it carried with its error.
 */
export function createJobAcceptances(db: Knex, options: { maxBatch?: number } = {}): AcceptJob {
  const alone = acceptJobAlone(db);
  // Settings are the process's configuration, the same for every request; a batch takes those of its first.
  const batches = new Map<string, ReturnType<typeof batchOf>>();
  const batchOf = (settings: AcceptanceSettings) =>
    createGroupCommit<Acceptance, BatchRow | undefined>(
      async (requests) => {
        const payload = requests.map((request, ord) => ({
          ord,
          job_id: request.jobId,
          user_id: request.userId,
          effect_id: request.effectId,
          upload_id: request.uploadId,
          params: request.params,
          idempotency_key: request.idempotencyKey,
          fingerprint: request.fingerprint,
          request_id: request.requestId,
        }));
        const result = await db
          .raw<{ rows: BatchRow[] }>(ACCEPT_EFFECT_JOBS, [JSON.stringify(payload), settings.idempotencyKeyTtlMs, settings.maxInflight])
          .options({ name: 'cosnap_accept_effect_jobs_v1' });
        const byOrd = new Map(result.rows.map((row) => [row.refusal_ord, row]));
        return requests.map((_, ord) => byOrd.get(ord));
      },
      { maxBatch: options.maxBatch ?? 64, keyOf: (request) => request.jobId },
    );
  return async (request, settings) => {
    // A malformed id fails its statement: alone, it fails only its own request.
    if (!UUID.test(request.jobId) || !UUID.test(request.userId) || !UUID.test(request.uploadId)) return alone(request, settings);
    const key = `${settings.idempotencyKeyTtlMs}:${settings.maxInflight}`;
    let batch = batches.get(key);
    if (!batch) batches.set(key, (batch = batchOf(settings)));
    const row = await batch.run(request);
    if (!row) throw new Error(`job ${request.jobId} was not returned by accept_effect_jobs`);
    if (row.refusal_code) throw new AcceptanceError(row.refusal_code, row.refusal_constraint || undefined, row.refusal_message ?? 'job not accepted');
    const { refusal_ord: _ord, refusal_code: _code, refusal_constraint: _constraint, refusal_message: _message, ...job } = row;
    return job;
  };
}
