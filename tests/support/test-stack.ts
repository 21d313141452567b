import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Cluster, Redis } from 'ioredis';
import type { RedisClient } from '../../core/queues/redis-connection.js';
import winston from 'winston';
import knex, { type Knex } from 'knex';
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../core/observability/logger.js';
import { startApi, type RunningApi } from '../../api/start-api.js';
import { TEST_PROVIDERS, TEST_STORAGE_BACKENDS } from '../extensions/test-extensions.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { findFreePort } from '../../scripts/local-services.js';
import { startOssFake, type OssFake } from '../fakes/oss-fake.js';
import { startCdnFake, type CdnFake } from '../fakes/cdn-fake.js';

/**
 * The backend a stack stores objects on unless its overrides say otherwise: `local-disk`, or `ali-oss` (the real
 * ali-oss client against the fake OSS bucket, read through the fake CDN). The vitest projects set it.
 */
export const TEST_STORAGE_BACKEND = process.env.TEST_STORAGE_BACKEND ?? 'local-disk';
if (!['local-disk', 'ali-oss'].includes(TEST_STORAGE_BACKEND))
  throw new Error(`TEST_STORAGE_BACKEND=${TEST_STORAGE_BACKEND}: expected local-disk or ali-oss`);

/** The fake OSS bucket and CDN of a stack on `ali-oss`. */
export interface StackOss {
  fake: OssFake;
  cdn: CdnFake;
}

async function startStackOss(): Promise<{ oss: StackOss; env: Record<string, string> }> {
  const fake = await startOssFake();
  const cdn = await startCdnFake(fake, { authKey: randomBytes(12).toString('hex'), validityS: 1800 });
  return {
    oss: { fake, cdn },
    env: {
      STORAGE_BACKEND: 'ali-oss',
      ALI_OSS_REGION: `oss-${fake.credentials.region}`,
      ALI_OSS_BUCKET: fake.credentials.bucket,
      ALI_OSS_ACCESS_KEY_ID: fake.credentials.accessKeyId,
      ALI_OSS_ACCESS_KEY_SECRET: fake.credentials.accessKeySecret,
      ALI_OSS_ENDPOINT: fake.endpoint,
      ALI_OSS_CDN_DOMAIN: cdn.origin,
      ALI_OSS_CDN_AUTH_KEY: cdn.authKey,
      ALI_OSS_CDN_AUTH_TTL: `${cdn.validityS}s`,
      ALI_OSS_TIMEOUT: '10s',
    },
  };
}

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Seed nodes (`host:port,...`) of a Redis Cluster every stack runs on instead of `REDIS_URL`: the `redis-cluster`
 * vitest project starts one and sets it (tests/cluster/cluster-setup.ts).
 */
export const REDIS_CLUSTER_NODES = process.env.TEST_REDIS_CLUSTER_NODES ?? '';

export interface TestStack {
  env: Record<string, string>;
  api: RunningApi;
  baseUrl: string;
  /** A direct handle for assertions on rows; the code under test uses its own pool. */
  db: Knex;
  /** A direct handle on the stack's Redis: a Cluster client when the stack runs on a cluster. */
  redis: RedisClient;
  /** Keys matching `pattern`, from every master when on a cluster (KEYS asks one node only). */
  redisKeys(pattern: string): Promise<string[]>;
  /** A worker process; `entry` is `workers/main.ts` unless a test runs the worker with test-only extensions. */
  startWorker(extraEnv?: Record<string, string>, entry?: string): Promise<WorkerProcess>;
  /** Every line the in-process API logged so far (JSON, after redaction), for assertions and secret scans. */
  apiLogs(): string;
  /** Worker processes started so far that are still running. */
  workers(): WorkerProcess[];
  /** The storage backend the stack runs on, and its fake bucket and CDN when that is `ali-oss`. */
  storageBackend: string;
  oss?: StackOss;
  /** Every object key in the stack's storage, sorted (read through the storage itself, whatever the backend). */
  storedKeys(prefix?: string): Promise<string[]>;
  /** Dates a stored object as written at `time` (the file's mtime on local disk, the bucket's Last-Modified on OSS). */
  setObjectTime(key: string, time: Date): Promise<void>;
  close(): Promise<void>;
}

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** Log lines saying this worker ran the effect job `id` to success. */
  completions(id: string): number;
  /** What this worker logged as the end of each of its runs of the effect job `id`: succeeded, skipped or discarded. */
  outcomes(id: string): string[];
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

/** Where the stack's database and queues live when not on the shared servers (fault tests bring their own). */
export interface StackServers {
  /** Redis for the API, the workers and the stack's own handle. */
  redisUrl?: string;
  /** Seed nodes of a Redis Cluster to run on instead (`REDIS_CLUSTER_NODES`); `TEST_REDIS_CLUSTER_NODES` by default. */
  redisClusterNodes?: string;
  /** The Postgres database the stack creates its database from. */
  adminDatabaseUrl?: string;
}

/**
 * Real API in this process and real worker processes, on a database and a queue prefix of their own,
 * so test files never see each other's rows or jobs.
 */
export async function startTestStack(overrides: Record<string, string> = {}, servers: StackServers = {}): Promise<TestStack> {
  const redisUrl = servers.redisUrl ?? REDIS_URL;
  // A test that brings its own single Redis runs on it, whatever the project's cluster.
  const clusterNodes = servers.redisClusterNodes ?? (servers.redisUrl ? '' : REDIS_CLUSTER_NODES);
  const database: TestDatabase = await createTestDatabase(servers.adminDatabaseUrl);
  // Storage and the generated secrets (shared with the stack's worker processes through the file).
  const dataDir = await mkdtemp(join(tmpdir(), 'cosnap-test-data-'));
  await mkdir(join(dataDir, 'storage'));
  const port = await findFreePort();
  const backend = overrides.STORAGE_BACKEND ?? TEST_STORAGE_BACKEND;
  const ossSetup = backend === 'ali-oss' && !overrides.ALI_OSS_BUCKET ? await startStackOss() : undefined;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    ...(clusterNodes && { REDIS_CLUSTER_NODES: clusterNodes }),
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
    ...ossSetup?.env,
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
  // The test tree's backends are offered; the shipped default is used unless STORAGE_BACKEND names one.
  const api = await startApi(config, logger, { storageBackends: TEST_STORAGE_BACKENDS, providers: TEST_PROVIDERS });
  // The test's own handle: fault tests take Postgres away under it too, and its pool's notes about that are noise.
  const quiet = () => undefined;
  const db = knex({ client: 'pg', connection: database.url, pool: { min: 0, max: 4 }, log: { warn: quiet, error: quiet, debug: quiet, deprecate: quiet } });
  const redis: RedisClient = clusterNodes
    ? new Cluster(clusterNodes.split(','), { redisOptions: { maxRetriesPerRequest: 3 } })
    : new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  const redisKeys = async (pattern: string) => {
    const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
    return (await Promise.all(nodes.map((node) => node.keys(pattern)))).flat();
  };
  // Fault tests take Redis away under this handle too; its reconnect errors are expected.
  redis.on('error', () => undefined);
  const workers = new Set<WorkerProcess>();

  return {
    env,
    api,
    baseUrl: api.url,
    db,
    redis,
    redisKeys,
    async startWorker(extraEnv = {}, entry) {
      const worker = await spawnWorker({ ...env, ...extraEnv }, entry);
      workers.add(worker);
      return worker;
    },
    apiLogs: () => apiLogs,
    storageBackend: api.deps.storage.identifier,
    ...(ossSetup && { oss: ossSetup.oss }),
    async storedKeys(prefix = '') {
      const keys: string[] = [];
      let after: string | undefined;
      do {
        const page = await api.deps.storage.list(prefix, after ? { after } : {});
        keys.push(...page.items.map((item) => item.key));
        after = page.next;
      } while (after);
      return keys.sort();
    },
    async setObjectTime(key, time) {
      if (ossSetup) ossSetup.oss.fake.setLastModified(key, time);
      else if (backend === 'local-disk') await utimes(join(env.STORAGE_DIR!, key), time, time);
      else throw new Error(`setObjectTime: not available on ${backend}`);
    },
    workers: () => [...workers].filter((worker) => worker.child.exitCode === null && worker.child.signalCode === null),
    async close() {
      // Every step runs even when one fails (a fault test may leave a server down): nothing is left behind
      // that can be cleaned, and the first failure is reported at the end.
      const failures: unknown[] = [];
      const step = async (work: () => Promise<unknown>) => {
        await work().catch((error: unknown) => failures.push(error));
      };
      await step(() => Promise.all([...workers].map((worker) => worker.kill())));
      await step(() => api.close());
      await step(async () => {
        // One hash tag: every key of the prefix is in one slot, so one DEL takes them all on a cluster too.
        const keys = await redisKeys(`${env.QUEUE_PREFIX}*`);
        if (keys.length) await redis.del(...keys);
      });
      // QUIT lets a cluster handle finish a node connection it is still opening (after a failover) before closing.
      await step(() => redis.quit().catch(() => redis.disconnect()));
      await step(() => db.destroy());
      await step(() => database.drop());
      await step(() => rm(dataDir, { recursive: true, force: true }));
      if (ossSetup) {
        await step(() => ossSetup.oss.cdn.close());
        await step(() => ossSetup.oss.fake.close());
      }
      if (failures.length) throw failures[0];
    },
  };
}

export { findFreePort as freePort } from '../../scripts/local-services.js';

const WORKER_READY = /"message":"worker ready"/;
const WORKER_READY_TIMEOUT_MS = 60_000;

function outcomesOf(output: string, id: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.includes(`"effectJobId":"${id}"`))
    .map((line) => /"message":"effect job (succeeded|skipped|discarded)"/.exec(line)?.[1])
    .filter((outcome): outcome is string => outcome !== undefined);
}

/** The worker entry with the test tree's extensions (test queue, test effect provider). */
export const TEST_WORKER_ENTRY = 'tests/extensions/test-worker-main.ts';

export async function spawnWorker(env: Record<string, string>, entry = 'workers/main.ts'): Promise<WorkerProcess> {
  // WORKER_CPU_PROF_DIR=dir: each worker writes a V8 CPU profile there when it exits (profiling the bench's workers).
  const profile = process.env.WORKER_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.WORKER_CPU_PROF_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', entry], {
    env: { ...process.env, ...env, LOG_LEVEL: env.WORKER_LOG_LEVEL ?? 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // 'close', not 'exit': only then has every line the worker wrote been read, so a test that checks its output
  // after stopping it sees all of it.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    // Loading the worker from TypeScript sources and warming its render threads takes a few seconds alone, and
    // well over 20 s on a machine shared with other test runs.
    const timer = setTimeout(() => {
      // The caller never gets a handle to stop it, so it must not outlive this failure (it would keep polling
      // a dropped database and a deleted queue prefix).
      child.kill('SIGKILL');
      reject(new Error(`worker did not become ready in ${WORKER_READY_TIMEOUT_MS / 1000} s:\n${output}`));
    }, WORKER_READY_TIMEOUT_MS);
    // Every line is kept; only the output before `ready` is searched for it (searching all of it on each chunk
    // costs the test process time that grows with the log, which a benchmark's worker writes a lot of).
    let ready = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!ready && WORKER_READY.test(output)) {
        ready = true;
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
    completions: (id) => outcomesOf(output, id).filter((outcome) => outcome === 'succeeded').length,
    outcomes: (id) => outcomesOf(output, id),
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
