import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from '../../scripts/local-services.js';
import { atExit } from './at-exit.js';

/**
 * Servers of a test's own, for faults that must never touch the shared Postgres and Redis: a flush, a kill, a
 * restart. Built on the private servers `npm start` and `npm test` fall back to. Each lives in a temporary folder
 * removed by `close()`, which a test calls in `afterAll` whatever happened.
 */

const log = (line: string) => {
  if (process.env.TEST_LOG_LEVEL === 'debug') console.log(`[private-servers] ${line}`);
};

const signal = (pid: number | undefined, name: NodeJS.Signals) => {
  try {
    if (pid) process.kill(pid, name);
  } catch {
    // Gone already.
  }
};

/** Starts a server in its fresh folder; if it cannot start, the folder goes and the test is told why. */
async function firstStart<T>(dir: string, what: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`cannot start ${what} for this test: ${String(error)}`, { cause: error });
  }
}

export interface TestRedis {
  url: string;
  /** SIGKILL: the process is gone at once, with every key (no persistence). */
  kill(): Promise<void>;
  /** A new, empty redis-server on the same port, as a restart without persistence leaves it. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestRedis(): Promise<TestRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'cosnap-test-redis-'));
  let server: PrivateRedis = await firstStart(dir, 'a private redis-server', () => startPrivateRedis({ dataDir: dir, log }));
  const port = server.port;
  const killAtExit = () => signal(server.pid, 'SIGKILL');
  const forgetAtExit = atExit(killAtExit);
  return {
    url: server.url,
    kill: () => server.kill(),
    async restart() {
      await server.kill();
      server = await startPrivateRedis({ dataDir: dir, log, port });
    },
    async close() {
      await server.stop();
      forgetAtExit();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface TestPostgres {
  /** The `postgres` database of the cluster, for creating the test's own database on it. */
  adminUrl: string;
  /** Stops the server; `fast` is a clean restart's stop (sessions get 57P01 admin shutdown). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'cosnap-test-postgres-'));
  let server: PrivatePostgres = await firstStart(dir, 'a private PostgreSQL cluster', () => startPrivatePostgres({ dataDir: dir, log }));
  let running = true;
  // SIGQUIT is Postgres' immediate shutdown; the postmaster's pid is the first line of its pid file.
  const quitAtExit = () => {
    if (!running) return;
    try {
      signal(Number(readFileSync(join(server.baseDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]), 'SIGQUIT');
    } catch {
      // No pid file: not running.
    }
  };
  const forgetAtExit = atExit(quitAtExit);
  return {
    adminUrl: server.url,
    async stop(mode = 'fast') {
      await server.stop(mode);
      running = false;
    },
    async start() {
      server = await startPrivatePostgres({ dataDir: dir, log, port: server.port });
      running = true;
    },
    async close() {
      if (running) await server.stop('immediate');
      running = false;
      forgetAtExit();
      await rm(server.baseDir, { recursive: true, force: true });
      await rm(dir, { recursive: true, force: true });
    },
  };
}
