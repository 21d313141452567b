import { setTimeout as sleep } from 'node:timers/promises';

export interface BackoffPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Full jitter: a random wait up to base·2^retry, capped, so many clients throttled at once do not retry in step. */
export function backoffDelayMs(policy: BackoffPolicy, retry: number, random = Math.random): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry));
}

/** Runs `attempt` until it succeeds, throws an error `shouldRetry` refuses, or the attempts run out (last error thrown). */
export async function withBackoff<T>(policy: BackoffPolicy, shouldRetry: (error: unknown) => boolean, attempt: () => Promise<T>): Promise<T> {
  for (let tried = 1; ; tried += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (tried >= policy.attempts || !shouldRetry(error)) throw error;
      await sleep(backoffDelayMs(policy, tried - 1));
    }
  }
}
