import type { ScenarioResult } from './bench-types.js';

/** A report as `npm run bench` writes it; only what the comparison reads. */
export interface BenchReport {
  scenarios: Pick<ScenarioResult, 'id' | 'comparisons'>[];
}

export interface RatioChange {
  scenario: string;
  figure: string;
  previous: number;
  current: number;
  /** How much worse the current ratio is, as a fraction of the previous one; negative = better. */
  worseBy: number;
  regressed: boolean;
}

/**
 * Each ratio (ours ÷ baseline) of the current report against the same figure in the previous one. Ratios, not raw
 * figures: the baseline runs on the same machine in the same run, so a slower runner moves both sides. A time (ms)
 * is better lower; a rate (req/s, jobs/s) is better higher. Figures only one report has are skipped.
 */
export function compareReports(previous: BenchReport, current: BenchReport, margin: number): RatioChange[] {
  const changes: RatioChange[] = [];
  for (const scenario of current.scenarios) {
    const before = previous.scenarios.find((candidate) => candidate.id === scenario.id);
    for (const comparison of scenario.comparisons) {
      const old = before?.comparisons.find((candidate) => candidate.figure === comparison.figure);
      if (comparison.ratio === undefined || old?.ratio === undefined || old.ratio <= 0) continue;
      const lowerIsBetter = comparison.unit === 'ms';
      const worseBy = lowerIsBetter ? comparison.ratio / old.ratio - 1 : 1 - comparison.ratio / old.ratio;
      changes.push({
        scenario: scenario.id,
        figure: comparison.figure,
        previous: old.ratio,
        current: comparison.ratio,
        worseBy: Math.round(worseBy * 1000) / 1000,
        regressed: worseBy > margin,
      });
    }
  }
  return changes;
}
