import { describe, expect, it } from 'vitest';
import { refuseMetrics } from '../../dashboard/metrics-access.js';

describe('who may read /metrics', () => {
  it('requires the token whenever one is set, public or not', () => {
    for (const isPublic of [true, false]) {
      const access = { token: 'metrics-token', public: isPublic };
      expect(refuseMetrics(undefined, access)?.status).toBe(401);
      expect(refuseMetrics('Bearer wrong', access)?.status).toBe(401);
      expect(refuseMetrics('Basic bWV0cmljcy10b2tlbg==', access)?.status).toBe(401);
      expect(refuseMetrics('Bearer metrics-token', access)).toBeUndefined();
    }
  });

  it('serves everybody without a token only when the metrics are public', () => {
    expect(refuseMetrics(undefined, { public: true })).toBeUndefined();
    const closed = refuseMetrics('Bearer anything', { public: false });
    expect(closed?.status).toBe(403);
    expect(closed?.body.error.message).toMatch(/METRICS_TOKEN.*METRICS_PUBLIC=true/);
  });
});
