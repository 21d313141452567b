import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchMode, Scenario, ScenarioResult } from './support/bench-types.js';
import { formatTables } from './support/report.js';
import { queueOverhead } from './scenarios/queue-overhead.js';
import { apiLoad } from './scenarios/api-load.js';
import { uploads } from './scenarios/uploads.js';
import { effects } from './scenarios/effects.js';
import { scaleOut } from './scenarios/scale-out.js';
import { latency } from './scenarios/latency.js';
import { firstPage } from './scenarios/first-page.js';
import { readMix } from './scenarios/read-mix.js';
import { clusterScaleOut } from './scenarios/cluster-scale-out.js';

/**
 * `npm run bench [-- --quick | --smoke] [--json] [--only id,id] [--out path]`: every scenario next to its baseline,
 * on real Postgres and Redis. Exits 1 when a scenario errs (wrong result, 5xx, lost job) — never for slowness.
 */
const SCENARIOS: Scenario[] = [queueOverhead, apiLoad, uploads, effects, scaleOut, latency, firstPage, readMix, clusterScaleOut];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string', default: 'bench/results/latest.json' },
  },
});
const mode: BenchMode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full';
const only = values.only?.split(',').map((id) => id.trim());
const selected = SCENARIOS.filter((scenario) => !only || only.includes(scenario.id));
if (only && selected.length !== only.length) {
  console.error(`unknown scenario in --only; known: ${SCENARIOS.map((scenario) => scenario.id).join(', ')}`);
  process.exit(2);
}
// With --json, stdout carries the JSON alone; progress goes to stderr.
const say = (line: string) => (values.json ? console.error(line) : console.log(line));

const started = Date.now();
const results: ScenarioResult[] = [];
for (const scenario of selected) {
  say(`\n== ${scenario.title} [${mode}]`);
  const scenarioStarted = performance.now();
  let result: ScenarioResult;
  try {
    const outcome = await scenario.run({ mode, log: (line) => say(`   ${line}`) });
    result = { id: scenario.id, title: scenario.title, ...outcome, seconds: Math.round((performance.now() - scenarioStarted) / 100) / 10 };
  } catch (error) {
    result = {
      id: scenario.id,
      title: scenario.title,
      measured: '',
      comparisons: [],
      targets: [],
      details: {},
      errors: [error instanceof Error ? (error.stack ?? error.message) : String(error)],
      seconds: Math.round((performance.now() - scenarioStarted) / 100) / 10,
    };
  }
  for (const error of result.errors) say(`   ERROR: ${error}`);
  for (const check of result.targets) say(`   ${check.met ? 'met   ' : 'missed'} ${check.target}: ${check.measured} (goal ${check.goal})`);
  results.push(result);
}

const report = {
  mode,
  startedAt: new Date(started).toISOString(),
  seconds: Math.round((Date.now() - started) / 1000),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 1024 ** 3), node: process.version },
  ok: results.every((result) => result.errors.length === 0),
  scenarios: results,
};
const out = resolve(values.out);
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
if (values.json) console.log(JSON.stringify(report));
else {
  console.log(`\n${formatTables(results)}\n`);
  console.log(`${mode} run, ${report.seconds} s on ${report.machine.cpus} × ${report.machine.cpuModel}; results in ${values.out}`);
}
if (!report.ok) console.error(`bench FAILED: ${results.filter((result) => result.errors.length).map((result) => result.id).join(', ')} had errors`);
process.exit(report.ok ? 0 : 1);
