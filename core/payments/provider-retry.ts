import { setTimeout as sleep } from 'node:timers/promises';
import { PaymentProviderError } from './payment-errors.js';

export interface RetryPolicy {
  /** Retries after the first attempt; 0 disables retrying. */
  retries: number;
  /** Delay before the first retry; doubled each time, capped at `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * The delay before retry number `retry` (1-based): exponential with "equal jitter" — at least half the step, so
 * retries never bunch at zero, and at most the step, so many callers failing together spread out.
 */
export function backoffDelayMs(retry: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(step / 2 + (step / 2) * random());
}

/**
 * Runs `call` until it succeeds, fails with an error that is not a retryable PaymentProviderError, or the retry
 * budget is spent. The budget is small on purpose: the caller (a request, a BullMQ job with its own backoff)
 * stays responsive, and the job queue carries the longer outages.
 */
export async function withProviderRetries<T>(policy: RetryPolicy, call: () => Promise<T>): Promise<T> {
  for (let retry = 1; ; retry += 1) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof PaymentProviderError) || !error.retryable || retry > policy.retries) throw error;
      await sleep(backoffDelayMs(retry, policy));
    }
  }
}
