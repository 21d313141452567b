import { describe, expect, it } from 'vitest';
import { RegionBreaker, type BreakerState } from '../../core/effects/runninghub/region-breaker.js';
import { RegionRouter, regionsFromUrls } from '../../core/effects/runninghub/runninghub-regions.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('a region breaker', () => {
  it('opens after the threshold of consecutive failures, and a success in between resets the count', () => {
    const time = clock();
    const breaker = new RegionBreaker({ failureThreshold: 3, coolDownMs: 10_000, now: time.now });
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.state()).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
    breaker.recordFailure();
    expect(breaker.state()).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
  });

  it('lets one probe through after the cool-down; its success closes the breaker', () => {
    const time = clock();
    const changes: Array<[BreakerState, BreakerState]> = [];
    const breaker = new RegionBreaker({ failureThreshold: 1, coolDownMs: 10_000, now: time.now }, (from, to) => changes.push([from, to]));
    breaker.recordFailure();
    time.advance(9_999);
    expect(breaker.tryAcquire()).toBe(false);
    time.advance(1);
    expect(breaker.state()).toBe('half_open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.recordSuccess();
    expect(breaker.state()).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
    expect(changes).toEqual([
      ['closed', 'open'],
      ['half_open', 'closed'],
    ]);
  });

  it('reopens for a whole cool-down when the probe fails', () => {
    const time = clock();
    const breaker = new RegionBreaker({ failureThreshold: 2, coolDownMs: 5_000, now: time.now });
    breaker.recordFailure();
    breaker.recordFailure();
    time.advance(5_000);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.recordFailure();
    expect(breaker.state()).toBe('open');
    time.advance(4_999);
    expect(breaker.tryAcquire()).toBe(false);
    time.advance(1);
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('frees the probe slot when a probe never reports back', () => {
    const time = clock();
    const breaker = new RegionBreaker({ failureThreshold: 1, coolDownMs: 1_000, now: time.now });
    breaker.recordFailure();
    time.advance(1_000);
    expect(breaker.tryAcquire()).toBe(true);
    time.advance(999);
    expect(breaker.tryAcquire()).toBe(false);
    time.advance(1);
    expect(breaker.tryAcquire()).toBe(true);
  });
});

describe('the region router', () => {
  const urls = { china: 'https://www.runninghub.cn', hk: 'https://www.runninghub.ai/api' };

  it('prefers China, fails a retry over to the other region, and keeps path prefixes', () => {
    const router = new RegionRouter(regionsFromUrls(urls), { failureThreshold: 3, now: clock().now });
    expect(router.pick()?.name).toBe('china');
    expect(router.pick('china')?.name).toBe('hk');
    expect(new URL('task/openapi/create', router.pick('china')!.baseUrl).href).toBe('https://www.runninghub.ai/api/task/openapi/create');
  });

  it('sends new work to the healthy region while China is open, and back once its probe succeeds', () => {
    const time = clock();
    const router = new RegionRouter(regionsFromUrls(urls), { failureThreshold: 2, coolDownMs: 30_000, now: time.now });
    router.recordFailure('china');
    router.recordFailure('china');
    expect(router.states()).toEqual({ china: 'open', hk: 'closed' });
    expect(router.pick()?.name).toBe('hk');
    time.advance(30_000);
    expect(router.pick()?.name).toBe('china');
    // The probe is out: other calls keep going to Hong Kong until it reports.
    expect(router.pick()?.name).toBe('hk');
    router.recordSuccess('china');
    expect(router.pick()?.name).toBe('china');
  });

  it('has nothing to offer when both regions are open, and refuses a pinned call to an open region', () => {
    const router = new RegionRouter(regionsFromUrls(urls), { failureThreshold: 1, now: clock().now });
    router.recordFailure('china');
    expect(router.pinned('china')).toBeUndefined();
    expect(router.pinned('hk')?.name).toBe('hk');
    router.recordFailure('hk');
    expect(router.pick()).toBeUndefined();
  });

  it('refuses a configuration without regions or with a URL it cannot use', () => {
    expect(() => new RegionRouter(regionsFromUrls({}))).toThrow(/at least one region/);
    expect(() => new RegionRouter([{ name: 'china', baseUrl: 'ftp://x' }])).toThrow(/http/);
    expect(() => new RegionRouter([{ name: 'china', baseUrl: 'https://user:secret@x' }])).toThrow(/plain origin/);
    expect(() => new RegionRouter([{ name: 'hk', baseUrl: 'https://a' }, { name: 'hk', baseUrl: 'https://b' }])).toThrow(/twice/);
  });
});
