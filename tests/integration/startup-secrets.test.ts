import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { freePort, REDIS_URL } from '../support/test-stack.js';

let dir: string;
let database: TestDatabase;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cosnap-startup-'));
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  output: string;
}

/**
 * Runs an entry point the way a platform would, with only the given environment (NODE_ENV and the secrets
 * unset unless given), until it exits or prints `readyLine`; then it is stopped.
 */
function run(entry: string, env: Record<string, string>, readyLine: RegExp): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: database.url,
      REDIS_URL,
      QUEUE_PREFIX: `{cosnap-test-${randomBytes(4).toString('hex')}}`,
      SECRETS_FILE: join(dir, `${randomBytes(4).toString('hex')}.json`),
      STORAGE_DIR: join(dir, 'storage'),
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry} neither exited nor became ready in 60 s:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (readyLine.test(output)) child.kill('SIGTERM');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    // 'close', not 'exit': the refusal is the process's last line, and only 'close' comes after it has been read.
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const SECRET_NAMES = ['JWT_ACCESS_SECRET', 'JWT_REFRESH_SECRET', 'STORAGE_SIGNING_SECRET'];
// Each test starts a process from TypeScript sources, which takes a while on a loaded machine.
const START_TIMEOUT_MS = 90_000;

describe('starting on a reachable address without real secrets', () => {
  it('makes the API refuse to start, naming the variables, when NODE_ENV is only defaulted', async () => {
    const port = await freePort();
    const { code, output } = await run('api/server.ts', { HOST: '0.0.0.0', PORT: String(port) }, /API listening/);
    expect(code).toBe(1);
    expect(output).toMatch(/HOST=0\.0\.0\.0: listening beyond this machine needs real secrets/);
    for (const name of [...SECRET_NAMES, 'NODE_ENV=development']) expect(output).toContain(name);
    expect(output).not.toMatch(/API listening/);
  }, START_TIMEOUT_MS);

  it('makes a worker with a metrics port refuse too', async () => {
    const { code, output } = await run('workers/main.ts', { HOST: '0.0.0.0', WORKER_METRICS_PORT: String(await freePort()) }, /worker ready/);
    expect(code).toBe(1);
    expect(output).toMatch(/HOST=0\.0\.0\.0: listening beyond this machine needs real secrets/);
  }, START_TIMEOUT_MS);

  it('lets the API start with NODE_ENV=development set explicitly, on generated secrets', async () => {
    const port = await freePort();
    const { output } = await run('api/server.ts', { HOST: '0.0.0.0', PORT: String(port), NODE_ENV: 'development' }, /API listening/);
    expect(output).toMatch(/API listening/);
  }, START_TIMEOUT_MS);
});
