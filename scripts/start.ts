import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { createLogger } from '../core/observability/logger.js';
import { createDb } from '../db/connect.js';
import { migrateAndSeed } from './release-step.js';
import { startApi } from '../api/start-api.js';
import { ensureDatabase, ensureLocalServices } from './local-services.js';

/**
 * `npm start`: the whole product on one machine — Postgres and Redis (private ones when none answer),
 * migrations and seed, the frontend build, the API in this process and one worker process.
 */

const say = (line: string) => console.log(`[start] ${line}`);
const fail = (line: string): never => {
  console.error(`[start] ${line}`);
  process.exit(1);
};

/** Run in reverse order on the way out: whatever was started last stops first. */
const cleanups: Array<{ name: string; run: () => Promise<void> }> = [];
let shuttingDown = false;
/** While private servers are being started a signal only sets this: exiting then could leave one running. */
let startingServices = false;
let stopRequested = false;

async function shutdown(code: number): Promise<never> {
  shuttingDown = true;
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup.run();
    } catch (error) {
      console.error(`[start] stopping ${cleanup.name} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (code === 0) say('stopped');
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (shuttingDown) return say(`${signal} again: still shutting down`);
    if (startingServices) {
      stopRequested = true;
      return say(`${signal}: stopping once the database services are up`);
    }
    say(`${signal}: shutting down`);
    void shutdown(0);
  });
}

if (existsSync('.env')) process.loadEnvFile('.env');
// Reachable from this machine only unless HOST says otherwise: with generated secrets, that is what is safe.
process.env.HOST ??= '127.0.0.1';

function readConfig(): Readonly<Config> {
  try {
    return loadConfig(process.env);
  } catch (error) {
    return fail(error instanceof ConfigError ? error.message : String(error));
  }
}

/** Checked before anything starts, so a second `npm start` fails at once instead of after migrations. */
function assertPortFree(config: Readonly<Config>): Promise<void> {
  return new Promise((resolvePromise) => {
    if (config.http.port === 0) return resolvePromise();
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        `PORT=${config.http.port}: ${error.code === 'EADDRINUSE' ? 'already in use (is Cosnap already running?)' : error.message}; stop what uses it or set PORT to a free port`,
      ),
    );
    probe.listen(config.http.port, config.http.host, () => probe.close(() => resolvePromise()));
  });
}

/** A missing build is not fatal: the API then serves a "frontend not built" page. */
async function buildFrontendIfMissing(config: Readonly<Config>): Promise<void> {
  const index = join(resolve(config.http.frontendDist), 'index.html');
  if (existsSync(index)) return;
  say(`${index} is missing: running npm run build:frontend`);
  const outcome = await new Promise<string>((resolvePromise) => {
    const child = spawn('npm', ['run', 'build:frontend'], { stdio: 'inherit' });
    child.once('error', (error) => resolvePromise(`could not run npm: ${error.message}`));
    child.once('exit', (code, signal) => resolvePromise(signal ?? `exit ${code}`));
  });
  if (outcome !== 'exit 0' || !existsSync(index))
    say(`WARNING: the frontend build failed (${outcome}); the API serves a "not built" page until npm run build:frontend succeeds`);
}

/** The worker's output is passed through; its "worker ready" line tells us it is up. */
function startWorkerProcess(config: Readonly<Config>): { child: ChildProcess; ready: Promise<boolean> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    env: process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let seen = '';
  const ready = new Promise<boolean>((resolvePromise) => {
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      seen = (seen + chunk.toString()).slice(-4096);
      if (seen.includes('worker ready')) resolvePromise(true);
    });
    child.once('exit', () => resolvePromise(false));
    setTimeout(() => resolvePromise(false), 60_000).unref();
  });
  child.once('exit', (code, signal) => {
    if (!shuttingDown)
      say(`WARNING: the worker exited (${signal ?? `code ${code}`}); jobs will wait in the queue. Restart npm start to run one again`);
  });
  cleanups.push({
    name: 'the worker',
    run: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolvePromise) => child.once('exit', resolvePromise));
      child.kill('SIGTERM');
      // The worker bounds its own shutdown by SHUTDOWN_TIMEOUT; this is the backstop.
      const timer = setTimeout(() => child.kill('SIGKILL'), config.shutdownTimeoutMs + 5_000);
      await exited;
      clearTimeout(timer);
    },
  });
  return { child, ready };
}

let config = readConfig();
await assertPortFree(config);

startingServices = true;
const services = await ensureLocalServices({
  databaseUrl: config.db.url,
  redisUrl: config.redis.url,
  dataDir: 'data/local-services/start',
  log: say,
}).catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
cleanups.push({ name: 'private services', run: () => services.stop() });
startingServices = false;
if (stopRequested) await shutdown(0);
if (services.databaseUrl !== config.db.url || services.redisUrl !== config.redis.url) {
  // The worker child inherits process.env, so it finds the same servers.
  process.env.DATABASE_URL = services.databaseUrl;
  process.env.REDIS_URL = services.redisUrl;
  config = readConfig();
}

try {
  await ensureDatabase(config.db.url);
  const db = createDb(config, 'cosnap-migrate');
  try {
    const applied = await migrateAndSeed(db, { diagnosticEffects: config.jobs.diagnosticEffects });
    say(applied.length ? `migrated: ${applied.join(', ')}` : 'schema up to date; effect catalog seeded');
  } finally {
    await db.destroy();
  }
} catch (error) {
  console.error(`[start] preparing the database failed: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
}

await buildFrontendIfMissing(config);

const logger = createLogger({ level: config.log.level, service: 'api', json: config.isProduction || !process.stdout.isTTY });
const runningApi = await startApi(config, logger).catch((error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code;
  console.error(
    code === 'EADDRINUSE'
      ? `[start] PORT=${config.http.port}: already in use; stop what uses it or set PORT to a free port`
      : `[start] the API did not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  return shutdown(1);
});
cleanups.push({ name: 'the API', run: () => runningApi.close() });

const worker = startWorkerProcess(config);
if (!(await worker.ready) && !shuttingDown) say('WARNING: the worker did not report ready; effects will not run until it does');

if (!shuttingDown) {
  console.log(`\n  Cosnap is running at ${runningApi.url}\n  (Ctrl-C to stop)\n`);
}
