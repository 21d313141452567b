import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { compareReports, type BenchReport } from './support/compare-reports.js';

/**
 * `npm run bench:compare -- <previous.json> <current.json> [--margin 0.25]`: exits 1 when any ratio is worse than
 * the previous report's by more than the margin, 2 on bad arguments; prints every compared ratio either way.
 */
const { values, positionals } = parseArgs({ allowPositionals: true, options: { margin: { type: 'string', default: '0.25' } } });
const margin = Number(values.margin);
if (positionals.length !== 2 || !Number.isFinite(margin) || margin < 0) {
  console.error('usage: npm run bench:compare -- <previous.json> <current.json> [--margin 0.25]');
  process.exit(2);
}
const [previousPath, currentPath] = positionals as [string, string];
const read = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as BenchReport;
const changes = compareReports(await read(previousPath), await read(currentPath), margin);
for (const change of changes)
  console.log(
    `${change.regressed ? 'REGRESSED' : 'ok       '} ${change.scenario} / ${change.figure}: ${change.previous} → ${change.current} ` +
      `(${change.worseBy >= 0 ? `${Math.round(change.worseBy * 100)}% worse` : `${Math.round(-change.worseBy * 100)}% better`})`,
  );
const regressed = changes.filter((change) => change.regressed);
console.log(`${changes.length} ratios compared, ${regressed.length} worse by more than ${Math.round(margin * 100)}%`);
process.exit(regressed.length ? 1 : 0);
