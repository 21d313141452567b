import { accessToken } from '../api/access-token';
import { ApiError } from '../api/api-error';
import { apiUrl } from '../api/base-url';
import type { Job } from '../api/types';
import { fetchJob, withFileUrls } from './jobs-api';
import { isFinalStatus } from './job-status';

export interface WatchCallbacks {
  onJob(job: Job): void;
  /** Live updates failed and polling took over (for a discreet notice). */
  onFallback?(): void;
  /** A poll failed; polling continues with backoff unless `final` (e.g. 404: the job is not ours). */
  onPollError?(error: unknown, final: boolean): void;
}

const POLL_INTERVAL_MS = 2_000;
const MAX_POLL_INTERVAL_MS = 30_000;

// Network errors, 5xx, 429 and 408 are worth retrying; other 4xx answers will not change by waiting.
function isPermanentFailure(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  return error.status >= 400 && error.status < 500 && error.status !== 429 && error.status !== 408;
}

/** Events carry `{job}` or the bare job, depending on the server version. */
function parseJobEvent(data: string): Job | undefined {
  try {
    const parsed = JSON.parse(data) as { job?: Job } & Partial<Job>;
    const job = parsed.job ?? parsed;
    return typeof job.id === 'string' && typeof job.status === 'string' ? withFileUrls(job as Job) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Follows a job to a final status: Server-Sent Events while they work; if the stream errors before a final
 * status (proxy timeout, expired token, no SSE support), polls GET /api/jobs/:id every 2 s, backing off on
 * failures. Returns a stop function.
 */
export function watchJob(jobId: string, callbacks: WatchCallbacks): () => void {
  let stopped = false;
  let source: EventSource | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pollAbort: AbortController | undefined;

  const stop = () => {
    stopped = true;
    source?.close();
    if (timer !== undefined) clearTimeout(timer);
    pollAbort?.abort();
  };

  const deliver = (job: Job) => {
    if (stopped) return;
    callbacks.onJob(job);
    if (isFinalStatus(job.status)) stop();
  };

  const poll = (delay: number) => {
    timer = setTimeout(async () => {
      pollAbort = new AbortController();
      try {
        deliver(await fetchJob(jobId, pollAbort.signal));
        if (!stopped) poll(POLL_INTERVAL_MS);
      } catch (error) {
        if (stopped) return;
        const final = isPermanentFailure(error);
        callbacks.onPollError?.(error, final);
        if (final) stop();
        else poll(Math.min(Math.max(delay, POLL_INTERVAL_MS) * 2, MAX_POLL_INTERVAL_MS));
      }
    }, delay);
  };

  const fallBackToPolling = () => {
    if (stopped) return;
    source?.close();
    source = undefined;
    callbacks.onFallback?.();
    poll(0);
  };

  const token = accessToken();
  if (typeof EventSource === 'undefined' || !token) {
    fallBackToPolling();
    return stop;
  }

  // EventSource cannot send headers, so the API accepts the token as a query parameter on this route only.
  const url = apiUrl(`/api/jobs/${encodeURIComponent(jobId)}/events?access_token=${encodeURIComponent(token)}`);
  source = new EventSource(url);
  const handleEvent = (event: MessageEvent<string>) => {
    const job = parseJobEvent(event.data);
    if (job) deliver(job);
  };
  source.addEventListener('status', handleEvent);
  source.addEventListener('progress', handleEvent);
  // The browser would reconnect by itself, but with a token that may have expired; polling refreshes it.
  source.onerror = fallBackToPolling;
  return stop;
}
