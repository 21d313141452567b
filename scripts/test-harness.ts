import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { ensureLocalServices, type LocalServices } from './local-services.js';

/**
 * What `npm test` and `npm run test:repeat` share: Postgres and Redis for the tests (TEST_DATABASE_URL /
 * TEST_REDIS_URL, or private servers when those don't answer), child steps that a Ctrl-C or SIGTERM stops, and
 * one exit path that always stops the private servers.
 */
export interface TestHarness {
  /** The environment for test children, with the URLs of the servers in use. */
  env: NodeJS.ProcessEnv;
  say: (line: string) => void;
  elapsed: () => string;
  /** Runs a command to completion with inherited stdio; resolves with its exit code. */
  run: (command: string, args: string[]) => Promise<number>;
  /** Set once SIGINT/SIGTERM arrived: the caller stops starting new steps. */
  interrupted: () => boolean;
  finish: (code: number, summary: string) => Promise<never>;
}

export const bin = (name: string) => resolve('node_modules', '.bin', name);

export async function startTestHarness(tag: string): Promise<TestHarness> {
  const say = (line: string) => console.log(`[${tag}] ${line}`);
  const started = Date.now();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)}s`;
  const running: { services?: LocalServices } = {};
  let current: ChildProcess | undefined;
  let interrupted = false;

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      say(`${signal}: stopping`);
      // A terminal Ctrl-C reaches the child too; a SIGTERM from elsewhere is passed on. Callers check
      // `interrupted()` after each step, so private servers still being started are stopped too.
      current?.kill('SIGTERM');
    });
  }

  const finish = async (code: number, summary: string): Promise<never> => {
    await running.services?.stop().catch((error: unknown) => say(`stopping private services failed: ${String(error)}`));
    say(`${code === 0 ? 'PASSED' : 'FAILED'}: ${summary}`);
    process.exit(code);
  };

  const services = await ensureLocalServices({
    databaseUrl: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    dataDir: 'data/local-services/test',
    log: say,
  }).catch((error: unknown) => {
    say(error instanceof Error ? error.message : String(error));
    return finish(1, `no Postgres/Redis for the tests (${elapsed()})`);
  });
  running.services = services;
  if (interrupted) await finish(130, `interrupted after ${elapsed()}`);
  const env: NodeJS.ProcessEnv = { ...process.env, TEST_DATABASE_URL: services.databaseUrl, TEST_REDIS_URL: services.redisUrl };

  const run = (command: string, args: string[]) =>
    new Promise<number>((resolvePromise) => {
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

  return { env, say, elapsed, run, interrupted: () => interrupted, finish };
}
