import { RateLimiterMemory } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { leasedPoints, PointsExhausted } from '../../api/middleware/leased-points.js';

/** A shared counter (as Redis is for the API's processes) that counts the round trips made to it. */
function sharedCounter(points: number, durationSeconds = 60) {
  const limiter = new RateLimiterMemory({ points, duration: durationSeconds });
  let calls = 0;
  const consume = limiter.consume.bind(limiter);
  limiter.consume = (key, taken) => {
    calls++;
    return consume(key, taken);
  };
  return { limiter, calls: () => calls };
}

async function spend(consume: (key: string) => Promise<void>, key: string, times: number): Promise<number> {
  let granted = 0;
  for (let request = 0; request < times; request++) {
    try {
      await consume(key);
      granted++;
    } catch (error) {
      if (!(error instanceof PointsExhausted)) throw error;
    }
  }
  return granted;
}

describe('points leased from a shared limiter', () => {
  it('grants exactly the limit to one process, with far fewer round trips than requests', async () => {
    const shared = sharedCounter(100);
    const consume = leasedPoints(shared.limiter, { points: 100 });
    expect(await spend(consume, 'ip:1', 130)).toBe(100);
    expect(shared.calls()).toBeLessThan(40);
  });

  it('gives a key of its own its own budget', async () => {
    const shared = sharedCounter(3);
    const consume = leasedPoints(shared.limiter, { points: 3 });
    expect(await spend(consume, 'user:a', 5)).toBe(3);
    expect(await spend(consume, 'user:b', 5)).toBe(3);
  });

  it('never grants more than the limit across processes, and most of it', async () => {
    const shared = sharedCounter(200);
    const processes = [leasedPoints(shared.limiter, { points: 200 }), leasedPoints(shared.limiter, { points: 200 }), leasedPoints(shared.limiter, { points: 200 })];
    let granted = 0;
    for (let round = 0; round < 150; round++) for (const consume of processes) granted += await spend(consume, 'ip:2', 1);
    expect(granted).toBeLessThanOrEqual(200);
    expect(granted).toBeGreaterThanOrEqual(200 * (1 - 2 / 8));
  });

  it('grants concurrent requests of one key no more than the limit', async () => {
    const shared = sharedCounter(50);
    const consume = leasedPoints(shared.limiter, { points: 50 });
    const outcomes = await Promise.allSettled(Array.from({ length: 80 }, () => consume('ip:3')));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(50);
    for (const outcome of outcomes) if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(PointsExhausted);
  });

  it('remembers a refusal until the window ends, without asking again, then asks', async () => {
    const shared = sharedCounter(2, 60);
    let now = 1_000_000;
    const consume = leasedPoints(shared.limiter, { points: 2, now: () => now });
    expect(await spend(consume, 'ip:4', 2)).toBe(2);
    const calls = shared.calls();
    expect(await spend(consume, 'ip:4', 20)).toBe(0);
    expect(shared.calls() - calls).toBeLessThanOrEqual(1);
    now += 61_000;
    await spend(consume, 'ip:4', 1);
    expect(shared.calls() - calls).toBe(1);
  });
});
