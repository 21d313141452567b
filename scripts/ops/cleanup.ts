import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../../config/index.js';
import { createLogger } from '../../core/observability/logger.js';
import { runUnderLease } from '../../core/queues/recurring-job-lease.js';
import { ensureRecurringJobs } from '../../core/queues/recurring-jobs.js';
import { createQueues } from '../../core/queues/queues.js';
import { createRedis, whenReady } from '../../core/queues/redis-connection.js';
import type { ChoreReport } from '../../core/retention/chore-context.js';
import { isRetentionChore, RETENTION_CHORES, retentionChores, type RetentionChore } from '../../core/retention/retention-chores.js';
import { createStorage } from '../../core/storage/storage-factory.js';
import { createDb } from '../../db/connect.js';
import { failureLine } from './operator-messages.js';
import { commandOptions, loadDotEnv } from './command-line.js';

const REDIS_READY_TIMEOUT_MS = 5_000;

const USAGE = `Run the retention clean-up chores now, once each, instead of waiting for the workers' schedule.

Usage:
  npm run ops:cleanup                              run every chore
  npm run ops:cleanup -- --dry-run                 report what each chore would delete; delete nothing
  npm run ops:cleanup -- --only UploadsExpire,ResultsExpire
  npm run ops:cleanup -- --json                    one JSON report on stdout instead of the table
  npm run ops:cleanup -- --help

Chores: ${RETENTION_CHORES.join(', ')} (README, "Retention", says what each deletes).
From a production build: node dist/scripts/ops/cleanup.js --dry-run
Reads the same environment as the worker (DATABASE_URL, REDIS_URL, STORAGE_*, RESULT_TTL, CLEANUP_*; a .env file
too). Each chore runs under the same lease as the workers' runs, so it never works beside one: a chore a worker
is running right now is reported as busy and left to it. Ctrl-C stops after the batch in hand.
Exit status: 0 every chore ran, 1 a chore failed, 2 wrong usage, 3 a chore was busy (run again shortly).`;

interface Options {
  dryRun: boolean;
  json: boolean;
  chores: RetentionChore[];
}

/** Throws, with a message for the user, on anything that is not a valid command line; undefined asks for help. */
function parseOptions(argv: string[]): Options | undefined {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, only: { type: 'string' } },
    allowPositionals: true,
  });
  if (values.help) return undefined;
  if (positionals.length) throw new Error(`unexpected argument "${positionals[0]}"`);
  const only = values.only?.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = only?.filter((name) => !isRetentionChore(name)) ?? [];
  if (unknown.length) throw new Error(`unknown chore ${unknown.join(', ')}; the chores are ${RETENTION_CHORES.join(', ')}`);
  return { dryRun: values['dry-run'] ?? false, json: values.json ?? false, chores: only?.length ? (only as RetentionChore[]) : [...RETENTION_CHORES] };
}

type Outcome = { outcome: 'ran'; report: ChoreReport; interrupted: boolean; durationMs: number } | { outcome: 'busy' } | { outcome: 'failed'; error: string };

const describeReport = (report: ChoreReport) =>
  Object.entries(report)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ') || 'nothing';

function line(name: string, result: Outcome, dryRun: boolean): string {
  const label = name.padEnd(20);
  switch (result.outcome) {
    case 'ran':
      return `${label}${dryRun ? 'would delete' : 'deleted'}: ${describeReport(result.report)}${result.interrupted ? ' (interrupted)' : ''} (${(result.durationMs / 1000).toFixed(1)} s)`;
    case 'busy':
      return `${label}busy: a worker is running it now; left to that run`;
    case 'failed':
      return `${label}failed: ${result.error}`;
  }
}

const options = commandOptions('ops:cleanup', USAGE, parseOptions);

loadDotEnv();
const config = loadConfigOrExit();
// The report is the output; logs only for what went wrong beside it.
const logger = createLogger({ level: 'warn', service: 'ops-cleanup', json: config.isProduction || !process.stdout.isTTY });
// The pool's own complaints are dropped: a failure reaches the report, once, where it surfaces.
const db = createDb(config, 'cosnap-ops-cleanup', { warn: () => undefined, debug: () => undefined });
const redis = createRedis(config.redis, 'producer', 'cosnap-ops-cleanup');
redis.on('error', (error: Error) => logger.debug('redis connection error', { err: error }));
const queues = createQueues(config, redis);
const storage = createStorage(config);
const chores = retentionChores({ config, queues, storage });
const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());

const results: Partial<Record<RetentionChore, Outcome>> = {};
try {
  await ensureRecurringJobs(db, options.chores);
  // The client fails fast until it is connected; a Redis that stays down fails only the chores that need it.
  await whenReady(redis, REDIS_READY_TIMEOUT_MS).catch(() => undefined);
  for (const name of options.chores) {
    if (stop.signal.aborted) break;
    const started = Date.now();
    let result: Outcome = { outcome: 'busy' };
    try {
      await runUnderLease(db, name, `ops:${hostname()}:${process.pid}`, async (leaseSignal) => {
        const signal = AbortSignal.any([leaseSignal, stop.signal]);
        const report = await chores[name]({ db, storage, logger, batchSize: config.retention.batchSize, dryRun: options.dryRun, signal });
        result = { outcome: 'ran', report, interrupted: signal.aborted, durationMs: Date.now() - started };
      });
    } catch (error) {
      result = { outcome: 'failed', error: failureLine(error) };
    }
    results[name] = result;
    if (!options.json) console.log(line(name, result, options.dryRun));
  }
} catch (error) {
  // Only the set-up above the per-chore catch gets here: the database did not answer.
  console.error(`ops:cleanup: ${failureLine(error)}`);
  process.exitCode = 1;
} finally {
  await queues.close().catch(() => undefined);
  redis.disconnect();
  await db.destroy();
}
if (options.json) console.log(JSON.stringify({ dryRun: options.dryRun, chores: results }));
const outcomes = Object.values(results).map((result) => result.outcome);
process.exitCode ??= outcomes.includes('failed') ? 1 : outcomes.includes('busy') ? 3 : 0;
