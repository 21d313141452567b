import type { Storage } from '../storage/storage.js';
import type { EffectJobRow, JobStatus } from './effect-job-records.js';

export interface JobView {
  id: string;
  status: JobStatus;
  progress: number;
  effectId: string;
  uploadId: string;
  uploadUrl: string;
  params: Record<string, unknown>;
  costCredits: number;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  result?: { url: string; width: number; height: number; mime: string };
  error?: { code: string; message: string };
}

/** The API shape of a job (API.md), with freshly signed URLs. */
export function toJobView(row: EffectJobRow, storage: Pick<Storage, 'signedUrl'>, urlTtlMs: number): JobView {
  return {
    id: row.id,
    status: row.status,
    progress: row.progress,
    effectId: row.effect_id,
    uploadId: row.upload_id,
    uploadUrl: storage.signedUrl(row.upload_key, urlTtlMs),
    params: row.params,
    costCredits: row.cost_credits,
    createdAt: row.created_at.toISOString(),
    ...(row.started_at && { startedAt: row.started_at.toISOString() }),
    ...(row.finished_at && { finishedAt: row.finished_at.toISOString() }),
    ...(row.result_key && {
      result: {
        url: storage.signedUrl(row.result_key, urlTtlMs),
        width: row.result_width ?? 0,
        height: row.result_height ?? 0,
        mime: row.result_mime ?? 'application/octet-stream',
      },
    }),
    ...(row.error_code && { error: { code: row.error_code, message: row.error_message ?? '' } }),
  };
}
