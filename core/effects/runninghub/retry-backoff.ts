export interface BackoffOptions {
  /** Ceiling of the first retry's delay. @defaultValue 250 */
  baseMs: number;
  /** No delay exceeds this. @defaultValue 4000 */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 4_000 };

/**
 * Delay before retry number `retry` (1 for the first): the ceiling doubles each time up to `maxMs`, and the
 * delay is drawn from the upper half of it ("equal jitter"), so workers that failed together spread out but none
 * retries at once.
 */
export function backoffDelayMs(retry: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** One attempt's verdict: a value, or an error and whether another attempt may help. */
export type Attempt<T> = { done: true; value: T } | { done: false; error: Error; retryable: boolean };

export interface RetryOptions {
  /** Attempts after the first. */
  retries: number;
  backoff?: BackoffOptions;
  random?: () => number;
  signal?: AbortSignal;
  /** Waits between attempts; tests pass one that records the schedule. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const abortableSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Runs `attempt` until it is done, says retrying is pointless, or `retries` retries are spent; waits with backoff between. */
export async function retryWithBackoff<T>(attempt: (index: number) => Promise<Attempt<T>>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? abortableSleep;
  for (let index = 0; ; index += 1) {
    const result = await attempt(index);
    if (result.done) return result.value;
    if (!result.retryable || index >= options.retries) throw result.error;
    await sleep(backoffDelayMs(index + 1, options.backoff, options.random), options.signal);
  }
}
