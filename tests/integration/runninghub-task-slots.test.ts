import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskSlots, type TaskSlotsOptions } from '../../core/effects/runninghub/task-slots.js';
import { REDIS_URL } from '../support/test-stack.js';

/** The account's slots and their line, on real Redis under a key of this file's own. */
describe('RunningHub task slots', () => {
  let redis: Redis;
  const prefix = `{cosnap-test-slots-${randomBytes(4).toString('hex')}}`;
  let clock = 1_000_000;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  const slots = (name: string, options: Partial<TaskSlotsOptions> = {}) => {
    const woken: string[][] = [];
    const made = createTaskSlots(redis, {
      key: `${prefix}:${name}`,
      limit: 2,
      leaseMs: 60_000,
      parkMs: 30_000,
      now: () => clock,
      wake: (ids) => Promise.resolve(void woken.push(ids)),
      ...options,
    });
    return { slots: made, woken };
  };

  it('gives free slots to the front of the line only, in the order jobs asked', async () => {
    const { slots: s, woken } = slots('fifo');
    expect(await s.acquire('a')).toEqual({ taken: true });
    expect(await s.acquire('b')).toEqual({ taken: true });
    expect(await s.acquire('c')).toEqual({ taken: false, position: 1 });
    expect(await s.acquire('d')).toEqual({ taken: false, position: 2 });
    // Asking again keeps one's place.
    expect(await s.acquire('d')).toEqual({ taken: false, position: 2 });

    await s.release('a');
    expect(woken).toEqual([['c']]);
    expect(await s.mayTakeNow('c')).toBe(true);
    expect(await s.mayTakeNow('d')).toBe(false);
    // A newcomer, or the job behind, cannot take the slot kept for the front.
    expect(await s.acquire('e')).toEqual({ taken: false, position: 3 });
    expect(await s.acquire('d')).toEqual({ taken: false, position: 2 });
    expect(await s.acquire('c')).toEqual({ taken: true });
    expect(await s.held()).toBe(2);

    await s.release('b');
    expect(woken.at(-1)).toEqual(['d']);
    expect(await s.acquire('d')).toEqual({ taken: true });
  });

  it('lets a place in line lapse when its job stops asking, so a vanished job does not hold the front', async () => {
    const { slots: s } = slots('lapse');
    await s.acquire('a');
    await s.acquire('b');
    expect(await s.acquire('ghost')).toEqual({ taken: false, position: 1 });
    expect(await s.acquire('c')).toEqual({ taken: false, position: 2 });
    clock += 30_000 * 1.2 * 2;
    await s.acquire('c');
    await s.renew('a');
    await s.renew('b');
    clock += 30_000 * 1.2 * 2;
    // The ghost last asked more than three parks ago; `c` asked since.
    await s.renew('a');
    await s.release('b');
    expect(await s.acquire('c')).toEqual({ taken: true });
  });

  it('renews the lease of a job whose task exists even above the limit, and takes it out of the line', async () => {
    const { slots: s } = slots('renew');
    await s.acquire('a');
    await s.acquire('b');
    await s.acquire('c');
    await s.renew('c');
    expect(await s.held()).toBe(3);
    expect(await s.mayTakeNow('c')).toBe(true);
  });

  it('parks for the fallback delay give or take a fifth, so parked jobs do not wake together', () => {
    const { slots: s } = slots('park');
    const parks = Array.from({ length: 200 }, () => s.parkMs());
    expect(Math.min(...parks)).toBeGreaterThanOrEqual(24_000);
    expect(Math.max(...parks)).toBeLessThanOrEqual(36_000);
    expect(new Set(parks).size).toBeGreaterThan(100);
  });
});
