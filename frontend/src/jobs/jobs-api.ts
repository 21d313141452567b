import { fileUrl } from '../api/base-url';
import { startEarly, takeEarly } from '../api/early-requests';
import { apiRequest } from '../api/request';
import type { Job, JobEnvelope, JobRequest, Page } from '../api/types';

export type { JobRequest };

/** A job as the API sent it, with its file URLs made loadable from this page (`fileUrl`). */
export function withFileUrls(job: Job): Job {
  return {
    ...job,
    ...(job.uploadUrl && { uploadUrl: fileUrl(job.uploadUrl) }),
    ...(job.result && { result: { ...job.result, url: fileUrl(job.result.url) } }),
  };
}

/**
 * `idempotencyKey` comes from the caller's `SubmissionKey`: one per user action, reused by every retry of it
 * (and by the 401-refresh retry inside apiRequest), so a request the server already accepted is not charged twice.
 */
export async function submitJob(request: JobRequest, idempotencyKey: string): Promise<Job> {
  const body = await apiRequest<JobEnvelope>('/api/jobs', {
    method: 'POST',
    body: request,
    headers: { 'Idempotency-Key': idempotencyKey },
  });
  return withFileUrls(body.job);
}

export async function fetchJob(id: string, signal?: AbortSignal): Promise<Job> {
  const body = await apiRequest<JobEnvelope>(`/api/jobs/${encodeURIComponent(id)}`, { signal });
  return withFileUrls(body.job);
}

export async function listJobs(limit: number, cursor?: string | null): Promise<Page<Job>> {
  const query = new URLSearchParams({ limit: String(limit) });
  if (cursor) query.set('cursor', cursor);
  const page = await apiRequest<Page<Job>>(`/api/jobs?${query.toString()}`);
  return { ...page, items: page.items.map(withFileUrls) };
}

export async function cancelJob(id: string): Promise<Job> {
  const body = await apiRequest<JobEnvelope>(`/api/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
  return withFileUrls(body.job);
}

/** Deletes a creation; a queued or running one is canceled (and refunded) first. */
export async function deleteJob(id: string): Promise<void> {
  await apiRequest<void>(`/api/jobs/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** The request that makes a new job with the same effect, photo and settings as `job`. */
export const requestLike = (job: Job): JobRequest => ({ effectId: job.effectId, uploadId: job.uploadId, params: job.params });

/** The creations page's first page of jobs. */
export const FIRST_CREATIONS_PAGE = 20;

/** Starts what `/jobs/:id` or `/creations` shows first, before the first render (signed-in visitors only). */
export function startEarlyJobRequests(pathname: string): Promise<unknown> | undefined {
  const jobId = /^\/jobs\/([^/]+)$/.exec(pathname)?.[1];
  if (jobId) return startEarly(`job:${decodeURIComponent(jobId)}`, () => fetchJob(decodeURIComponent(jobId)));
  if (pathname === '/creations') return startEarly('creations:first', () => listJobs(FIRST_CREATIONS_PAGE));
  return undefined;
}

/** The job, from the request started before the first render when there is one. */
export const fetchJobOnce = (id: string): Promise<Job> => takeEarly<Job>(`job:${id}`) ?? fetchJob(id);

/** The first page of creations, from the request started before the first render when there is one. */
export const listFirstCreations = (): Promise<Page<Job>> => takeEarly<Page<Job>>('creations:first') ?? listJobs(FIRST_CREATIONS_PAGE);
