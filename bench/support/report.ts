import type { ScenarioResult } from './bench-types.js';

const cell = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '' : value.toLocaleString('en-US'));

/** The run as a Markdown table (it is what the README publishes): figures next to baselines, then the targets. */
export function formatTables(results: ScenarioResult[]): string {
  const lines = ['| Scenario | Figure | Ours | Baseline | Ratio |', '|---|---|---:|---:|---:|'];
  for (const result of results) {
    if (result.errors.length && !result.comparisons.length) lines.push(`| ${result.title} | ERROR: ${result.errors[0]} | | | |`);
    for (const row of result.comparisons)
      lines.push(`| ${result.title} | ${row.figure} (${row.unit}) | ${cell(row.ours)} | ${cell(row.baseline)} | ${row.ratio === undefined ? '' : `${cell(row.ratio)}×`} |`);
  }
  lines.push('', '| Target | Measured | Goal | Met |', '|---|---:|---:|:---:|');
  for (const result of results) for (const check of result.targets) lines.push(`| ${check.target} | ${check.measured} | ${check.goal} | ${check.met ? 'yes' : 'no'} |`);
  return lines.join('\n');
}
