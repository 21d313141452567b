import { performance } from 'node:perf_hooks';
import { toError, type ApiCallContext } from './runninghub-api-call.js';
import { problem, type ProblemResult } from './runninghub-envelope.js';
import { TransportError, type HttpResponse } from './http-transport.js';
import { retryWithBackoff, type Attempt } from './retry-backoff.js';
import type { DownloadedOutput } from './runninghub-types.js';

export interface DownloadOptions {
  timeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal | undefined;
}

/**
 * GETs one output file from RunningHub's file host (its URL is absolute and signed, so no region and no key),
 * retrying transport failures and 5xx with backoff. A refused URL (403/404/410) has expired: copy outputs as
 * soon as a task succeeds.
 */
export async function downloadOutput(context: ApiCallContext, fileUrl: string, options: DownloadOptions): Promise<DownloadedOutput> {
  const fail = (result: ProblemResult, cause?: unknown) => toError(context, result, { endpoint: 'download' }, null, false, cause);
  let url: URL;
  try {
    url = new URL(fileUrl);
  } catch {
    throw fail(problem('invalid', 'BAD_INPUT'));
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw fail(problem('invalid', 'BAD_INPUT'));

  return retryWithBackoff<DownloadedOutput>(
    async (): Promise<Attempt<DownloadedOutput>> => {
      const started = performance.now();
      const report = (outcome: string) => context.onCall?.({ endpoint: 'download', region: null, outcome, durationMs: performance.now() - started });
      let response: HttpResponse;
      try {
        response = await context.transport.send({ method: 'GET', url, timeoutMs: options.timeoutMs, signal: options.signal, maxResponseBytes: options.maxBytes });
      } catch (error) {
        if (!(error instanceof TransportError)) throw error;
        if (error.failure === 'aborted') throw options.signal?.reason ?? error;
        const code = error.failure === 'too_large' ? 'FILE_TOO_LARGE' : error.failure === 'timeout' ? 'TIMEOUT' : 'NETWORK';
        report(code);
        const tooLarge = error.failure === 'too_large';
        return { done: false, error: fail(problem(tooLarge ? 'invalid' : 'capacity', code), error), retryable: !tooLarge };
      }
      const { status } = response;
      if (status >= 200 && status < 300) {
        report('OK');
        return { done: true, value: { data: response.body, contentType: response.contentType } };
      }
      const result =
        status === 403 || status === 404 || status === 410
          ? problem('not_found', 'OUTPUT_EXPIRED')
          : problem(status >= 500 || status === 429 ? 'capacity' : 'invalid', `HTTP_${status}`);
      report(result.problem.runningHubCode);
      return { done: false, error: fail(result), retryable: result.kind === 'capacity' };
    },
    { retries: context.retries, backoff: context.backoff, random: context.random, signal: options.signal },
  );
}
