import { existsSync } from 'node:fs';
import { bin, startTestHarness } from './test-harness.js';

/**
 * `npm test [-- vitest args]`: typecheck, lint and the vitest suite, in that order, stopping at the first failure.
 * Postgres and Redis come from TEST_DATABASE_URL / TEST_REDIS_URL, or private servers when those don't answer.
 */

interface Step {
  name: string;
  command: string;
  args: string[];
}

const steps: Step[] = [{ name: 'typecheck', command: bin('tsc'), args: ['--noEmit', '-p', 'tsconfig.json'] }];
if (existsSync('frontend/tsconfig.json'))
  steps.push({ name: 'typecheck frontend', command: bin('tsc'), args: ['--noEmit', '-p', 'frontend/tsconfig.json'] });
steps.push(
  { name: 'lint', command: bin('eslint'), args: ['.'] },
  { name: 'vitest', command: bin('vitest'), args: ['run', ...process.argv.slice(2)] },
);

const harness = await startTestHarness('test');
const { say, elapsed, finish } = harness;

// Browser tests load the built frontend: build it every run, so they never test a stale build.
say('building the frontend: npm run build:frontend');
const built = await harness.run('npm', ['run', 'build:frontend']);
if (harness.interrupted()) await finish(130, `interrupted after ${elapsed()}`);
if (built !== 0) await finish(built, `the frontend build failed (exit ${built}) after ${elapsed()}`);

const passed: string[] = [];
for (const step of steps) {
  say(`${step.name}: ${[step.command.replace(`${process.cwd()}/`, ''), ...step.args].join(' ')}`);
  const code = await harness.run(step.command, step.args);
  if (harness.interrupted()) await finish(130, `interrupted during ${step.name} after ${elapsed()}`);
  if (code !== 0) await finish(code, `${step.name} failed (exit ${code}) after ${elapsed()}${passed.length ? `; passed: ${passed.join(', ')}` : ''}`);
  passed.push(step.name);
}
await finish(0, `${passed.join(', ')} in ${elapsed()}`);
