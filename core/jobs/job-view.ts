import type { Knex } from 'knex';
import type { ObjectStorage } from '../storage/object-storage.js';
import type { EffectJobRow, JobStatus } from './effect-job-records.js';

export interface JobView {
  id: string;
  status: JobStatus;
  progress: number;
  effectId: string;
  uploadId: string;
  /** Absent once retention deleted the photo (UPLOAD_TTL). */
  uploadUrl?: string;
  /** When retention deleted the photo. */
  uploadExpiredAt?: string;
  /** When retention deleted the result (RESULT_TTL): history lists the job as expired. */
  expiredAt?: string;
  params: Record<string, unknown>;
  costCredits: number;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  result?: { url: string; width: number; height: number; mime: string };
  error?: { code: string; message: string };
  /** Where a running remote job is at its provider (from `provider_state`). */
  remote?: { status: RemoteStatus };
}

type RemoteStatus = 'queued' | 'running' | 'copying';
const REMOTE_STATUSES: readonly string[] = ['queued', 'running', 'copying'];

/** The columns a view is made from. */
export type JobViewRow = Pick<
  EffectJobRow,
  | 'id'
  | 'status'
  | 'progress'
  | 'effect_id'
  | 'upload_id'
  | 'upload_key'
  | 'params'
  | 'cost_credits'
  | 'created_at'
  | 'started_at'
  | 'finished_at'
  | 'result_key'
  | 'result_width'
  | 'result_height'
  | 'result_mime'
  | 'error_code'
  | 'error_message'
  | 'expired_at'
  | 'upload_expired_at'
> & { remote_status?: string | null };

/** A view row with what the job view cache needs: whose it is, and when retention will change it. */
export type CachedJobViewRow = JobViewRow & { user_id: string; upload_expires_at: Date };

/*
 * `GET /api/jobs/:id` is the route clients poll, so its lookup is one fixed statement, prepared once per pooled
 * connection (a named statement) instead of being built and planned on every call. The columns are listed, not
 * `j.*`: a prepared statement fails once its result type changes, and a migration adding a column must not break
 * the processes already running. By id alone: the owner is checked against the row, which may come from the
 * read cache (`job-view-cache.ts`).
 */
const FIND_JOB_VIEW = `
  SELECT j.id, j.user_id, j.status, j.progress, j.effect_id, j.upload_id, u.storage_key AS upload_key, j.params, j.cost_credits,
         j.created_at, j.started_at, j.finished_at, j.result_key, j.result_width, j.result_height, j.result_mime,
         j.error_code, j.error_message, j.expired_at, u.expired_at AS upload_expired_at, u.expires_at AS upload_expires_at,
         j.provider_state->>'remoteStatus' AS remote_status
  FROM effect_jobs j JOIN uploads u ON u.id = j.upload_id
  WHERE j.id = ?`;

export async function findJobViewRow(db: Knex, id: string): Promise<CachedJobViewRow | undefined> {
  const result = await db.raw<{ rows: CachedJobViewRow[] }>(FIND_JOB_VIEW, [id]).options({ name: 'cosnap_find_job_view_v1' });
  return result.rows[0];
}

/** The API shape of a job (API.md), with freshly signed URLs. */
export async function toJobView(row: JobViewRow, storage: Pick<ObjectStorage, 'signedUrl'>, urlTtlMs: number): Promise<JobView> {
  // Both URLs are signed at once: a remote backend's signature may take a moment (async), never a round trip each in turn.
  const [uploadUrl, resultUrl] = await Promise.all([
    row.upload_expired_at ? undefined : storage.signedUrl(row.upload_key, urlTtlMs),
    row.result_key && !row.expired_at ? storage.signedUrl(row.result_key, urlTtlMs) : undefined,
  ]);
  return {
    id: row.id,
    status: row.status,
    progress: row.progress,
    effectId: row.effect_id,
    uploadId: row.upload_id,
    ...(uploadUrl && { uploadUrl }),
    ...(row.upload_expired_at && { uploadExpiredAt: row.upload_expired_at.toISOString() }),
    ...(row.expired_at && { expiredAt: row.expired_at.toISOString() }),
    params: row.params,
    costCredits: row.cost_credits,
    createdAt: row.created_at.toISOString(),
    ...(row.started_at && { startedAt: row.started_at.toISOString() }),
    ...(row.finished_at && { finishedAt: row.finished_at.toISOString() }),
    ...(resultUrl && {
      result: {
        url: resultUrl,
        width: row.result_width ?? 0,
        height: row.result_height ?? 0,
        mime: row.result_mime ?? 'application/octet-stream',
      },
    }),
    ...(row.error_code && { error: { code: row.error_code, message: row.error_message ?? '' } }),
    ...(row.status === 'running' && row.remote_status && REMOTE_STATUSES.includes(row.remote_status) && { remote: { status: row.remote_status as RemoteStatus } }),
  };
}
