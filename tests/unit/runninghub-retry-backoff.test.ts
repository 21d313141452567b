import { describe, expect, it } from 'vitest';
import { backoffDelayMs, retryWithBackoff, type Attempt } from '../../core/effects/runninghub/retry-backoff.js';

describe('the retry backoff schedule', () => {
  const options = { baseMs: 100, maxMs: 1_000 };

  it('doubles its ceiling each retry up to the cap, drawing from the upper half of it', () => {
    expect([1, 2, 3, 4, 5, 6].map((retry) => backoffDelayMs(retry, options, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 6].map((retry) => backoffDelayMs(retry, options, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('spreads workers that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(3, options)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(200);
  });

  it('retries a retryable failure up to the budget, waiting on the schedule', async () => {
    const waits: number[] = [];
    let calls = 0;
    const failing = (): Promise<Attempt<string>> => {
      calls += 1;
      return Promise.resolve({ done: false, error: new Error(`attempt ${calls}`), retryable: true });
    };
    await expect(retryWithBackoff(failing, { retries: 3, backoff: options, random: () => 1, sleep: (ms) => Promise.resolve(void waits.push(ms)) })).rejects.toThrow('attempt 4');
    expect(calls).toBe(4);
    expect(waits).toEqual([100, 200, 400]);
  });

  it('stops at once on a failure that says retrying is pointless, and returns the first success', async () => {
    let calls = 0;
    const permanent = () => Promise.resolve<Attempt<string>>({ done: false, error: new Error(`permanent ${++calls}`), retryable: false });
    await expect(retryWithBackoff(permanent, { retries: 5, sleep: () => Promise.resolve() })).rejects.toThrow('permanent 1');
    const second = (index: number): Promise<Attempt<string>> =>
      Promise.resolve(index === 0 ? { done: false, error: new Error('flaky'), retryable: true } : { done: true, value: 'ok' });
    await expect(retryWithBackoff(second, { retries: 5, sleep: () => Promise.resolve() })).resolves.toBe('ok');
  });

  it('gives up waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const run = retryWithBackoff(() => Promise.resolve<Attempt<string>>({ done: false, error: new Error('down'), retryable: true }), {
      retries: 3,
      backoff: { baseMs: 60_000, maxMs: 60_000 },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('shutting down')), 20);
    await expect(run).rejects.toThrow('shutting down');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
