import { parseArgs } from 'node:util';
import type { Queue } from 'bullmq';
import { loadConfigOrExit } from '../../config/index.js';
import { sampleQueues } from '../../core/observability/queue-sampler.js';
import { createQueues } from '../../core/queues/queues.js';
import { createRedis } from '../../core/queues/redis-connection.js';
import { createDb } from '../../db/connect.js';
import { histogramQuantiles, parsePrometheusText } from './metrics-text.js';
import { databaseLocation, failureLine } from './operator-messages.js';
import { commandOptions, loadDotEnv } from './command-line.js';

const USAGE = `A performance report for the monthly review: the database's slowest statements, index use and dead rows,
the queues' depths and ages, and request and job latency percentiles from running processes.

Usage:
  npm run ops:perf-report
  npm run ops:perf-report -- --metrics https://api.example.com/metrics --metrics http://worker:9464/metrics
  npm run ops:perf-report -- --top 20 --json
  npm run ops:perf-report -- --help

--metrics URL   scrape a /metrics endpoint (repeatable): p95 of requests by route and of jobs by queue, since that
                process started. METRICS_TOKEN, when set, is sent as the bearer token.
--top N         rows per table (default 10).
--json          one JSON report on stdout.
Slowest statements need pg_stat_statements (shared_preload_libraries = 'pg_stat_statements', then CREATE EXTENSION
pg_stat_statements in the database); without it that section says so and the rest is reported.
Reads DATABASE_URL, REDIS_URL and QUEUE_PREFIX like the API (a .env file too). It only reads.
Exit status: 0 reported, 2 wrong usage, 3 the database could not be read.`;

interface Options {
  metrics: string[];
  top: number;
  json: boolean;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' }, metrics: { type: 'string', multiple: true }, top: { type: 'string' }, json: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (values.help) return undefined;
  if (positionals.length) throw new Error(`unexpected argument "${positionals[0]}"`);
  const top = values.top === undefined ? 10 : Number(values.top);
  if (!Number.isInteger(top) || top < 1 || top > 1000) throw new Error(`--top ${values.top}: a whole number from 1 to 1000`);
  for (const url of values.metrics ?? []) if (!/^https?:\/\//.test(url)) throw new Error(`--metrics ${url}: an http(s) URL`);
  return { metrics: values.metrics ?? [], top, json: values.json ?? false };
}

type Rows = Record<string, string | number | null>[];

interface Report {
  database: string;
  statements: { available: true; rows: Rows } | { available: false; reason: string };
  indexes: { unused: Rows; seqScanHeavy: Rows };
  deadRows: Rows;
  queues: Rows | { error: string };
  metrics: Array<{ url: string; requests: Rows; jobs: Rows } | { url: string; error: string }>;
}

async function slowestStatements(knex: ReturnType<typeof createDb>, top: number): Promise<Report['statements']> {
  const installed = await knex.raw<{ rows: unknown[] }>(`SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'`);
  if (!installed.rows.length) {
    const loaded = await knex.raw<{ rows: { setting: string }[] }>(`SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries'`);
    const preloaded = loaded.rows[0]?.setting.split(',').some((name) => name.trim() === 'pg_stat_statements');
    return {
      available: false,
      reason: preloaded
        ? 'pg_stat_statements is loaded but not created in this database: CREATE EXTENSION pg_stat_statements'
        : "pg_stat_statements is not loaded: add shared_preload_libraries = 'pg_stat_statements', restart Postgres, then CREATE EXTENSION pg_stat_statements",
    };
  }
  const result = await knex.raw<{ rows: Rows }>(
    `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query, calls,
            round(mean_exec_time::numeric, 2) AS mean_ms, round(total_exec_time::numeric, 0) AS total_ms,
            round(max_exec_time::numeric, 2) AS max_ms, rows
       FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY mean_exec_time DESC LIMIT ?`,
    [top],
  );
  return { available: true, rows: result.rows };
}

async function indexUse(knex: ReturnType<typeof createDb>, top: number): Promise<Report['indexes']> {
  const unused = await knex.raw<{ rows: Rows }>(
    `SELECT s.relname AS "table", s.indexrelname AS "index", s.idx_scan AS scans, pg_size_pretty(pg_relation_size(s.indexrelid)) AS size
       FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
      WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary
      ORDER BY pg_relation_size(s.indexrelid) DESC LIMIT ?`,
    [top],
  );
  const seqScanHeavy = await knex.raw<{ rows: Rows }>(
    `SELECT relname AS "table", seq_scan AS seq_scans, coalesce(idx_scan, 0) AS index_scans, seq_tup_read AS rows_read_by_seq_scans, n_live_tup AS live_rows
       FROM pg_stat_user_tables
      WHERE seq_scan > coalesce(idx_scan, 0) AND n_live_tup > 1000
      ORDER BY seq_tup_read DESC LIMIT ?`,
    [top],
  );
  return { unused: unused.rows, seqScanHeavy: seqScanHeavy.rows };
}

/** Dead rows per table: what vacuum has not reclaimed yet, the part of bloat the statistics see. */
async function deadRows(knex: ReturnType<typeof createDb>, top: number): Promise<Rows> {
  const result = await knex.raw<{ rows: Rows }>(
    `SELECT relname AS "table", n_live_tup AS live_rows, n_dead_tup AS dead_rows,
            round(100.0 * n_dead_tup / greatest(n_live_tup + n_dead_tup, 1), 1) AS dead_pct,
            pg_size_pretty(pg_total_relation_size(relid)) AS total_size,
            greatest(last_vacuum, last_autovacuum) AS last_vacuum
       FROM pg_stat_user_tables ORDER BY n_dead_tup DESC, pg_total_relation_size(relid) DESC LIMIT ?`,
    [top],
  );
  return result.rows;
}

/** Each queue's depth and the age of its oldest waiting job, as the queue metrics sample them. */
async function queueFigures(queues: Queue[]): Promise<Rows> {
  return (await sampleQueues(queues)).map(({ queue, counts, oldestWaitingAgeSeconds }) => {
    const count = (state: string) => counts[state] ?? 0;
    return {
      queue,
      waiting: count('waiting') + count('prioritized'),
      active: count('active'),
      delayed: count('delayed'),
      failed: count('failed'),
      completed: count('completed'),
      oldest_waiting_s: count('waiting') ? Math.round(oldestWaitingAgeSeconds) : null,
    };
  });
}

const SCRAPE_TIMEOUT_MS = 10_000;

async function scrape(url: string, token: string | undefined, top: number): Promise<Report['metrics'][number]> {
  try {
    const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
    if (!response.ok) return { url, error: `HTTP ${response.status}` };
    const samples = parsePrometheusText(await response.text());
    const requests = histogramQuantiles(samples, 'cosnap_http_request_duration_seconds', ['method', 'route'])
      .sort((a, b) => b.count - a.count)
      .slice(0, top)
      .map((row) => ({ route: `${row.labels.method} ${row.labels.route}`, requests: row.count, p50_ms: ms(row.p50), p95_ms: ms(row.p95), p99_ms: ms(row.p99) }));
    const jobs = histogramQuantiles(samples, 'cosnap_job_processing_duration_seconds', ['queue', 'job_name'])
      .sort((a, b) => b.count - a.count)
      .slice(0, top)
      .map((row) => ({ job: `${row.labels.queue} ${row.labels.job_name}`, runs: row.count, p50_ms: ms(row.p50), p95_ms: ms(row.p95), p99_ms: ms(row.p99) }));
    return { url, requests, jobs };
  } catch (error) {
    return { url, error: failureLine(error) };
  }
}

const ms = (seconds: number | null) => (seconds === null ? null : Math.round(seconds * 1000 * 10) / 10);

function table(title: string, rows: Rows): string {
  if (!rows.length) return `${title}\n  (none)\n`;
  const columns = Object.keys(rows[0]!);
  const cell = (value: unknown): string => {
    if (value instanceof Date) return value.toISOString().slice(0, 16);
    if (value === null || value === undefined) return '-';
    return typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
  };
  const widths = columns.map((column) => Math.min(80, Math.max(column.length, ...rows.map((row) => cell(row[column]).length))));
  const line = (values: string[]) => `  ${values.map((value, index) => value.slice(0, widths[index]).padEnd(widths[index]!)).join('  ')}`.trimEnd();
  return [title, line(columns), ...rows.map((row) => line(columns.map((column) => cell(row[column]))))].join('\n') + '\n';
}

function printReport(report: Report): void {
  console.log(`Performance report of ${report.database}, ${new Date().toISOString()}\n`);
  if (report.statements.available) console.log(table('Slowest statements (pg_stat_statements, by mean time)', report.statements.rows));
  else console.log(`Slowest statements\n  ${report.statements.reason}\n`);
  console.log(table('Indexes never used (not unique, not primary)', report.indexes.unused));
  console.log(table('Tables read mostly by sequential scans', report.indexes.seqScanHeavy));
  console.log(table('Dead rows (vacuum backlog)', report.deadRows));
  if (Array.isArray(report.queues)) console.log(table('Queues', report.queues));
  else console.log(`Queues\n  could not be read: ${report.queues.error}\n`);
  for (const scraped of report.metrics) {
    if ('error' in scraped) {
      console.log(`Metrics of ${scraped.url}\n  could not be scraped: ${scraped.error}\n`);
      continue;
    }
    console.log(table(`Requests of ${scraped.url} (since that process started)`, scraped.requests));
    console.log(table(`Jobs of ${scraped.url} (since that process started)`, scraped.jobs));
  }
}

const options = commandOptions('ops:perf-report', USAGE, parseOptions);
loadDotEnv();
const config = loadConfigOrExit();
const knex = createDb(config, 'cosnap-perf-report', { warn: () => undefined, debug: () => undefined });
const redis = createRedis(config.redis, 'producer', 'cosnap-perf-report');
redis.on('error', () => undefined);
const queues = createQueues(config, redis);
try {
  const [statements, indexes, dead] = await Promise.all([slowestStatements(knex, options.top), indexUse(knex, options.top), deadRows(knex, options.top)]);
  const report: Report = {
    database: databaseLocation(config.db.url),
    statements,
    indexes,
    deadRows: dead,
    queues: await queueFigures(Object.values(queues.byName)).catch((error: unknown) => ({ error: failureLine(error) })),
    metrics: await Promise.all(options.metrics.map((url) => scrape(url, config.metrics.token, options.top))),
  };
  if (options.json) console.log(JSON.stringify(report));
  else printReport(report);
} catch (error) {
  console.error(`ops:perf-report: could not read ${databaseLocation(config.db.url)}: ${failureLine(error)}`);
  process.exitCode = 3;
} finally {
  await queues.close().catch(() => undefined);
  redis.disconnect();
  await knex.destroy();
}
