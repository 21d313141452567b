import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bin, startTestHarness } from './test-harness.js';

/**
 * `npm run test:repeat -- N [vitest filters and options]`: runs the vitest suite (or the files the filters
 * select) N times in a row and reports every failure by run, file and test name, then how often each test
 * failed. For hunting flakes: a test that fails one run in twenty shows up here, not in a single `npm test`.
 * Exits 1 when any run had a failure.
 */

interface AssertionResult {
  fullName: string;
  status: string;
  failureMessages: string[];
}

interface FileResult {
  name: string;
  status: string;
  message?: string;
  assertionResults: AssertionResult[];
}

interface Failure {
  run: number;
  test: string;
  message: string;
}

const USAGE = 'usage: npm run test:repeat -- <runs> [vitest filters/options], e.g. npm run test:repeat -- 20 tests/integration/metrics';

const [countArg, ...vitestArgs] = process.argv.slice(2);
const runs = Number(countArg);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(USAGE);
  process.exit(2);
}

const firstLine = (text: string) => text.split('\n').find((line) => line.trim())?.trim() ?? '';

function failuresOf(results: FileResult[], run: number, cwd: string): Failure[] {
  const failures: Failure[] = [];
  for (const file of results) {
    const path = file.name.replace(`${cwd}/`, '');
    const failed = file.assertionResults.filter((test) => test.status === 'failed');
    for (const test of failed)
      failures.push({ run, test: `${path} › ${test.fullName}`, message: firstLine(test.failureMessages.join('\n')) });
    // A file that failed outside any test (a hook, an import) has no failed assertion to name.
    if (file.status === 'failed' && failed.length === 0) failures.push({ run, test: `${path} (file)`, message: firstLine(file.message ?? '') });
  }
  return failures;
}

const harness = await startTestHarness('test:repeat');
const { say, elapsed, finish } = harness;

// Browser tests load the built frontend: build it once, as `npm test` does before every run.
say('building the frontend: npm run build:frontend');
const built = await harness.run('npm', ['run', 'build:frontend']);
if (harness.interrupted()) await finish(130, `interrupted after ${elapsed()}`);
if (built !== 0) await finish(built, `the frontend build failed (exit ${built})`);

const reports = await mkdtemp(join(tmpdir(), 'cosnap-test-repeat-'));
const failures: Failure[] = [];
const runLines: string[] = [];
for (let run = 1; run <= runs; run += 1) {
  const report = join(reports, `run-${run}.json`);
  const startedAt = Date.now();
  say(`run ${run}/${runs}: vitest run ${vitestArgs.join(' ')}`);
  const code = await harness.run(bin('vitest'), ['run', '--reporter=dot', '--reporter=json', `--outputFile.json=${report}`, ...vitestArgs]);
  if (harness.interrupted()) break;
  const seconds = Math.round((Date.now() - startedAt) / 1000);
  const parsed = await readFile(report, 'utf8').then(
    (text) => JSON.parse(text) as { testResults: FileResult[]; numTotalTests: number },
    () => undefined,
  );
  const found = parsed ? failuresOf(parsed.testResults, run, process.cwd()) : [];
  if (code !== 0 && found.length === 0) found.push({ run, test: '(vitest itself)', message: `exited ${code} without a report of failed tests` });
  failures.push(...found);
  const line = `run ${run}/${runs}: ${found.length ? `${found.length} failed` : 'passed'}, ${parsed?.numTotalTests ?? '?'} tests, ${seconds}s`;
  runLines.push(line);
  say(line);
  for (const failure of found) say(`  ✗ ${failure.test}: ${failure.message}`);
}
await rm(reports, { recursive: true, force: true });

say('summary:');
for (const line of runLines) say(`  ${line}`);
const byTest = new Map<string, Failure[]>();
for (const failure of failures) byTest.set(failure.test, [...(byTest.get(failure.test) ?? []), failure]);
for (const [test, seen] of byTest) {
  say(`  ✗ ${test}: failed in ${seen.length} of ${runLines.length} runs (runs ${seen.map((failure) => failure.run).join(', ')})`);
  say(`      first: ${seen[0]!.message}`);
}
if (harness.interrupted()) await finish(130, `interrupted after ${runLines.length} of ${runs} runs (${elapsed()})`);
const failedRuns = new Set(failures.map((failure) => failure.run)).size;
await finish(failures.length ? 1 : 0, `${runs - failedRuns} of ${runs} runs passed in ${elapsed()}`);
