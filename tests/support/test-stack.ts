import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import winston from 'winston';
import knex, { type Knex } from 'knex';
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../core/observability/logger.js';
import { startApi, type RunningApi } from '../../api/start-api.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestStack {
  env: Record<string, string>;
  api: RunningApi;
  baseUrl: string;
  /** A direct handle for assertions on rows; the code under test uses its own pool. */
  db: Knex;
  redis: Redis;
  startWorker(extraEnv?: Record<string, string>): Promise<WorkerProcess>;
  /** Every line the in-process API logged so far (JSON, after redaction), for assertions and secret scans. */
  apiLogs(): string;
  /** Worker processes started so far that are still running. */
  workers(): WorkerProcess[];
  close(): Promise<void>;
}

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** Log lines saying this worker finished the effect job `id` (succeeded, discarded or skipped). */
  completions(id: string): number;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

/**
 * Real API in this process and real worker processes, on a database and a queue prefix of their own,
 * so test files never see each other's rows or jobs.
 */
export async function startTestStack(overrides: Record<string, string> = {}): Promise<TestStack> {
  const database: TestDatabase = await createTestDatabase();
  // Storage and the generated secrets (shared with the stack's worker processes through the file).
  const dataDir = await mkdtemp(join(tmpdir(), 'cosnap-test-data-'));
  await mkdir(join(dataDir, 'storage'));
  const port = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: database.url,
    REDIS_URL,
    QUEUE_PREFIX: `{cosnap-test-${randomBytes(4).toString('hex')}}`,
    STORAGE_DIR: join(dataDir, 'storage'),
    SECRETS_FILE: join(dataDir, 'secrets.json'),
    DIAGNOSTIC_EFFECTS: 'true',
    RATE_LIMIT_MAX: '100000',
    AUTH_RATE_LIMIT_MAX: '100000',
    UPLOAD_RATE_LIMIT_MAX: '100000',
    EFFECTS_RATE_LIMIT_MAX: '100000',
    JOB_BACKOFF: '200ms',
    JOB_LOCK_DURATION: '4s',
    JOB_STALLED_INTERVAL: '2s',
    SWEEP_INTERVAL: '1s',
    SWEEP_GRACE: '0ms',
    SHUTDOWN_TIMEOUT: '10s',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    ...overrides,
  };
  const config = loadConfig(env);
  const logger = createLogger({ level: config.log.level, service: 'api', json: true });
  let apiLogs = '';
  logger.add(
    new winston.transports.Stream({
      stream: new Writable({
        write(chunk: Buffer, _encoding, done) {
          apiLogs += chunk.toString();
          done();
        },
      }),
    }),
  );
  const api = await startApi(config, logger);
  const db = knex({ client: 'pg', connection: database.url, pool: { min: 0, max: 4 } });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  const workers = new Set<WorkerProcess>();

  return {
    env,
    api,
    baseUrl: api.url,
    db,
    redis,
    async startWorker(extraEnv = {}) {
      const worker = await spawnWorker({ ...env, ...extraEnv });
      workers.add(worker);
      return worker;
    },
    apiLogs: () => apiLogs,
    workers: () => [...workers].filter((worker) => worker.child.exitCode === null && worker.child.signalCode === null),
    async close() {
      await Promise.all([...workers].map((worker) => worker.kill()));
      await api.close();
      const keys = await redis.keys(`${env.QUEUE_PREFIX}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await db.destroy();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const WORKER_READY = /"message":"worker ready"/;

export async function spawnWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    env: { ...process.env, ...env, LOG_LEVEL: env.WORKER_LOG_LEVEL ?? 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not become ready in 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (WORKER_READY.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before it was ready:\n${output}`));
    });
  });
  return {
    child,
    output: () => output,
    completions: (id) => output.split('\n').filter((line) => line.includes(`"effectJobId":"${id}"`) && line.includes('"message":"effect job succeeded"')).length,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
