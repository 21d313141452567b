import { describe, expect, it } from 'vitest';
import { compareReports, type BenchReport } from '../../bench/support/compare-reports.js';

const report = (throughputRatio: number, renderRatio: number): BenchReport => ({
  scenarios: [
    { id: 'queue-overhead', comparisons: [{ figure: 'end-to-end throughput', unit: 'jobs/s', ours: 1, baseline: 1, ratio: throughputRatio }] },
    { id: 'effects', comparisons: [{ figure: 'vintage', unit: 'ms', ours: 1, baseline: 1, ratio: renderRatio }] },
  ],
});

describe('bench regression detection', () => {
  it('flags a rate ratio that fell, and a time ratio that rose, by more than the margin', () => {
    const changes = compareReports(report(0.8, 1.0), report(0.5, 1.5), 0.25);
    expect(changes.map((change) => [change.figure, change.worseBy, change.regressed])).toEqual([
      ['end-to-end throughput', 0.375, true],
      ['vintage', 0.5, true],
    ]);
  });

  it('lets noise within the margin and improvements pass', () => {
    const changes = compareReports(report(0.8, 1.0), report(0.7, 0.6), 0.25);
    expect(changes.every((change) => !change.regressed)).toBe(true);
    expect(changes[1]?.worseBy).toBe(-0.4);
  });

  it('skips figures only one report has', () => {
    expect(compareReports({ scenarios: [] }, report(0.5, 2), 0.25)).toEqual([]);
  });
});
