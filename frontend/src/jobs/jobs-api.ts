import { fileUrl } from '../api/base-url';
import { apiRequest } from '../api/request';
import type { Job, JobParams, Page } from '../api/types';

/** A job as the API sent it, with its file URLs made loadable from this page (`fileUrl`). */
export function withFileUrls(job: Job): Job {
  return {
    ...job,
    ...(job.uploadUrl && { uploadUrl: fileUrl(job.uploadUrl) }),
    ...(job.result && { result: { ...job.result, url: fileUrl(job.result.url) } }),
  };
}

export interface JobRequest {
  effectId: string;
  uploadId: string;
  params?: JobParams;
}

// crypto.randomUUID exists only in secure contexts (https, localhost); plain-http LAN testing still needs a key.
function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * One key per submission attempt: the 401-refresh retry inside apiRequest reuses it, so a request the
 * server already accepted is not charged twice.
 */
export async function submitJob(request: JobRequest): Promise<Job> {
  const body = await apiRequest<{ job: Job }>('/api/jobs', {
    method: 'POST',
    body: request,
    headers: { 'Idempotency-Key': newIdempotencyKey() },
  });
  return withFileUrls(body.job);
}

export async function fetchJob(id: string, signal?: AbortSignal): Promise<Job> {
  const body = await apiRequest<{ job: Job }>(`/api/jobs/${encodeURIComponent(id)}`, { signal });
  return withFileUrls(body.job);
}

export async function listJobs(limit: number, cursor?: string | null): Promise<Page<Job>> {
  const query = new URLSearchParams({ limit: String(limit) });
  if (cursor) query.set('cursor', cursor);
  const page = await apiRequest<Page<Job>>(`/api/jobs?${query.toString()}`);
  return { ...page, items: page.items.map(withFileUrls) };
}

export async function cancelJob(id: string): Promise<Job> {
  const body = await apiRequest<{ job: Job }>(`/api/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
  return withFileUrls(body.job);
}

/** Same effect, photo and settings as a failed or canceled job, as a new job. */
export const resubmitJob = (job: Job) => submitJob({ effectId: job.effectId, uploadId: job.uploadId, params: job.params });
