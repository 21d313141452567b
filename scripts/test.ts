import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensureLocalServices, type LocalServices } from './local-services.js';

/**
 * `npm test [-- vitest args]`: typecheck, lint and the vitest suite, in that order, stopping at the first failure.
 * Postgres and Redis come from TEST_DATABASE_URL / TEST_REDIS_URL, or private servers when those don't answer.
 */

const say = (line: string) => console.log(`[test] ${line}`);
const started = Date.now();
const elapsed = () => `${Math.round((Date.now() - started) / 1000)}s`;
const bin = (name: string) => resolve('node_modules', '.bin', name);

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

/** Set once private servers may be running, so every way out stops them. */
const running: { services?: LocalServices } = {};
let current: ChildProcess | undefined;
let interrupted = false;

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    say(`${signal}: stopping`);
    // A terminal Ctrl-C reaches the child too; a SIGTERM from elsewhere is passed on. The main flow checks
    // `interrupted` after each step, so private servers still being started are stopped too.
    current?.kill('SIGTERM');
  });
}

async function finish(code: number, summary: string): Promise<never> {
  await running.services?.stop().catch((error: unknown) => say(`stopping private services failed: ${String(error)}`));
  say(`${code === 0 ? 'PASSED' : 'FAILED'}: ${summary}`);
  process.exit(code);
}

function runStep(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    current = child;
    child.once('error', (error) => {
      say(`could not run ${command}: ${error.message}`);
      resolvePromise(127);
    });
    child.once('exit', (code, signal) => {
      current = undefined;
      resolvePromise(code ?? (signal ? 128 + 15 : 1));
    });
  });
}

const ensured = await ensureLocalServices({
  databaseUrl: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  dataDir: 'data/local-services/test',
  log: say,
}).catch((error: unknown) => {
  say(error instanceof Error ? error.message : String(error));
  return finish(1, `no Postgres/Redis for the tests (${elapsed()})`);
});
running.services = ensured;
if (interrupted) await finish(130, `interrupted after ${elapsed()}`);
const env: NodeJS.ProcessEnv = { ...process.env, TEST_DATABASE_URL: ensured.databaseUrl, TEST_REDIS_URL: ensured.redisUrl };

// Browser tests load the built frontend: build it every run, so they never test a stale build.
{
  say('building the frontend: npm run build:frontend');
  const code = await runStep('npm', ['run', 'build:frontend'], env);
  if (interrupted) await finish(130, `interrupted after ${elapsed()}`);
  if (code !== 0) await finish(code, `the frontend build failed (exit ${code}) after ${elapsed()}`);
}

const passed: string[] = [];
for (const step of steps) {
  say(`${step.name}: ${[step.command.replace(`${process.cwd()}/`, ''), ...step.args].join(' ')}`);
  const code = await runStep(step.command, step.args, env);
  if (interrupted) await finish(130, `interrupted during ${step.name} after ${elapsed()}`);
  if (code !== 0) await finish(code, `${step.name} failed (exit ${code}) after ${elapsed()}${passed.length ? `; passed: ${passed.join(', ')}` : ''}`);
  passed.push(step.name);
}
await finish(0, `${passed.join(', ')} in ${elapsed()}`);
