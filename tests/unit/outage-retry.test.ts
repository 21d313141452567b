import { describe, expect, it } from 'vitest';
import { outageRetryDelay } from '../../workers/postpone-on-outage.js';
import { effectRequestFingerprint } from '../../core/jobs/request-fingerprint.js';

describe('outageRetryDelay', () => {
  it('doubles from the base up to the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 20, 1000].map((retry) => outageRetryDelay(retry, 200, 2_000, 0));
    expect(delays).toEqual([200, 400, 800, 1_600, 2_000, 2_000, 2_000, 2_000]);
  });

  it('spreads each delay by at most the jitter', () => {
    expect(outageRetryDelay(3, 200, 2_000, 0.2, () => 0)).toBe(640);
    expect(outageRetryDelay(3, 200, 2_000, 0.2, () => 1)).toBe(960);
  });
});

describe('effectRequestFingerprint', () => {
  const request = { effectId: 'sketch', uploadId: 'a3c0e7a8-6f52-4d3b-9a35-0d3f4c0e9b11', params: { strength: 3, tint: { r: 1, g: 2 } } };

  it('is the same for the same request whatever the order of its keys', () => {
    const reordered = { params: { tint: { g: 2, r: 1 }, strength: 3 }, uploadId: request.uploadId, effectId: 'sketch' };
    expect(effectRequestFingerprint(reordered)).toBe(effectRequestFingerprint(request));
  });

  it('differs when the effect, the upload or any param differs', () => {
    const base = effectRequestFingerprint(request);
    expect(effectRequestFingerprint({ ...request, effectId: 'cartoon' })).not.toBe(base);
    expect(effectRequestFingerprint({ ...request, uploadId: 'b3c0e7a8-6f52-4d3b-9a35-0d3f4c0e9b11' })).not.toBe(base);
    expect(effectRequestFingerprint({ ...request, params: { strength: 4, tint: { r: 1, g: 2 } } })).not.toBe(base);
    expect(effectRequestFingerprint({ ...request, params: {} })).not.toBe(base);
  });
});
