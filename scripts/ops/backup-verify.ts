import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfigOrExit } from '../../config/index.js';
import { databaseLocation, failureLine } from './operator-messages.js';
import { commandOptions, loadDotEnv } from './command-line.js';

const USAGE = `Take a backup of the database and prove it restores: dump, restore into a scratch database, compare.

Usage:
  npm run ops:backup-verify                        dump to a temporary file, verify, delete the file
  npm run ops:backup-verify -- --out FILE          keep the verified dump (pg_dump's custom format) in FILE
  npm run ops:backup-verify -- --scratch-url URL   create the scratch database on another server (default: the
                                                   server of DATABASE_URL, through its "postgres" database)
  npm run ops:backup-verify -- --keep              leave the scratch database for a look (its name is printed)
  npm run ops:backup-verify -- --json              one JSON report on stdout instead of the lines
  npm run ops:backup-verify -- --help

What is compared, between the database (in the very snapshot pg_dump reads) and the restored copy:
  - the row count of every table;
  - the credit ledger's sum and row count for every user;
  - in the copy, every user's cached credit_balance against its ledger sum.
Needs pg_dump and pg_restore of the server's major version or newer: on PATH, or in PG_BIN_DIR (or --pg-bin DIR),
e.g. /usr/lib/postgresql/16/bin. The account of DATABASE_URL (or --scratch-url) must be allowed to CREATE DATABASE.
Reads DATABASE_URL like the API (a .env file too); passwords go to the tools through PGPASSWORD, never argv.
Exit status: 0 verified, 1 the restored copy differs (the backup is not good), 2 wrong usage, 3 could not run.`;

interface Options {
  out?: string;
  scratchUrl?: string;
  pgBin?: string;
  keep: boolean;
  json: boolean;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h' },
      out: { type: 'string' },
      'scratch-url': { type: 'string' },
      'pg-bin': { type: 'string' },
      keep: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  if (values.help) return undefined;
  if (positionals.length) throw new Error(`unexpected argument "${positionals[0]}"`);
  if (values['scratch-url'] !== undefined && !/^postgres(ql)?:\/\//.test(values['scratch-url'])) throw new Error('--scratch-url must be a postgres:// URL');
  return {
    out: values.out && resolve(values.out),
    scratchUrl: values['scratch-url'],
    pgBin: values['pg-bin'] ?? process.env.PG_BIN_DIR,
    keep: values.keep ?? false,
    json: values.json ?? false,
  };
}

/** What a database holds, as far as a backup must keep it. */
interface Figures {
  rows: Record<string, number>;
  /** `user id -> "sum/count"` of the credit ledger. */
  ledger: Record<string, string>;
}

/** The figures, read in the transaction of `client` (the dump's snapshot, or the restored copy). */
async function readFigures(client: pg.ClientBase): Promise<Figures> {
  const tables = await client.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
  const rows: Record<string, number> = {};
  for (const { name } of tables.rows) {
    const counted = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${name.replaceAll('"', '""')}"`);
    rows[name] = Number(counted.rows[0]!.n);
  }
  const ledger: Record<string, string> = {};
  if (rows.credit_ledger !== undefined) {
    const sums = await client.query<{ user_id: string; total: string; n: string }>(
      'SELECT user_id::text, sum(delta) AS total, count(*) AS n FROM credit_ledger GROUP BY user_id ORDER BY user_id',
    );
    for (const row of sums.rows) ledger[row.user_id] = `${row.total}/${row.n}`;
  }
  return { rows, ledger };
}

/** Users of the copy whose cached balance is not their ledger sum. */
async function balanceDrift(client: pg.ClientBase): Promise<string[]> {
  const drift = await client.query<{ id: string; balance: number; total: string }>(
    `SELECT u.id::text, u.credit_balance AS balance, coalesce(l.total, 0) AS total
       FROM users u LEFT JOIN (SELECT user_id, sum(delta) AS total FROM credit_ledger GROUP BY user_id) l ON l.user_id = u.id
      WHERE u.credit_balance <> coalesce(l.total, 0) ORDER BY u.id LIMIT 20`,
  );
  return drift.rows.map((row) => `user ${row.id}: credit_balance ${row.balance}, ledger sum ${row.total}`);
}

function differences(live: Figures, restored: Figures): string[] {
  const found: string[] = [];
  for (const table of new Set([...Object.keys(live.rows), ...Object.keys(restored.rows)])) {
    const [a, b] = [live.rows[table], restored.rows[table]];
    if (a !== b) found.push(`table ${table}: ${a ?? 'missing'} rows in the database, ${b ?? 'missing'} restored`);
  }
  const users = [...new Set([...Object.keys(live.ledger), ...Object.keys(restored.ledger)])].filter((user) => live.ledger[user] !== restored.ledger[user]);
  for (const user of users.slice(0, 20)) {
    found.push(`ledger of user ${user}: sum/rows ${live.ledger[user] ?? 'none'} in the database, ${restored.ledger[user] ?? 'none'} restored`);
  }
  if (users.length > 20) found.push(`… and the ledgers of ${users.length - 20} more users`);
  return found;
}

/** A URL's connection settings as libpq environment variables, so no password reaches a command line. */
function libpqEnv(url: string): NodeJS.ProcessEnv {
  const parsed = new URL(url);
  const sslmode = parsed.searchParams.get('sslmode');
  return {
    ...process.env,
    PGHOST: decodeURIComponent(parsed.hostname),
    PGPORT: parsed.port || '5432',
    PGUSER: decodeURIComponent(parsed.username || 'postgres'),
    PGDATABASE: decodeURIComponent(parsed.pathname.slice(1)),
    ...(parsed.password && { PGPASSWORD: decodeURIComponent(parsed.password) }),
    ...(sslmode && { PGSSLMODE: sslmode }),
  };
}

const withDatabase = (url: string, database: string) => {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
};

const TOOL_TIMEOUT_MS = 60 * 60_000;

function runTool(bin: string, args: string[], url: string): Promise<void> {
  return new Promise((done, fail) => {
    execFile(bin, args, { env: libpqEnv(url), timeout: TOOL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (!error) return done();
      const detail = stderr.trim().split('\n').slice(-3).join(' ') || error.message;
      fail(new Error(error.killed ? `${bin} took longer than ${TOOL_TIMEOUT_MS / 60_000} min` : `${bin} failed: ${detail}`));
    });
  });
}

function tool(name: 'pg_dump' | 'pg_restore', dir: string | undefined): string {
  if (!dir) return name;
  const path = join(dir, name);
  if (!existsSync(path)) throw new Error(`${path} does not exist (PG_BIN_DIR / --pg-bin)`);
  return path;
}

interface Report {
  verified: boolean;
  database: string;
  scratchDatabase: string;
  dump?: string;
  tables: number;
  rows: number;
  ledgerUsers: number;
  differences: string[];
  balanceDrift: string[];
  durationMs: number;
}

async function verify(options: Options, databaseUrl: string): Promise<Report> {
  const started = Date.now();
  const pgDump = tool('pg_dump', options.pgBin);
  const pgRestore = tool('pg_restore', options.pgBin);
  const workDir = options.out ? undefined : await mkdtemp(join(tmpdir(), 'cosnap-backup-verify-'));
  const dumpFile = options.out ?? join(workDir!, 'cosnap.dump');
  const scratchName = `cosnap_verify_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${randomBytes(3).toString('hex')}`;
  const adminUrl = options.scratchUrl ?? withDatabase(databaseUrl, 'postgres');
  const scratchUrl = withDatabase(adminUrl, scratchName);

  // The figures are read in the snapshot pg_dump is given, so writes going on meanwhile change neither side.
  const live = new pg.Client({ connectionString: databaseUrl, application_name: 'cosnap-backup-verify', connectionTimeoutMillis: 10_000, statement_timeout: TOOL_TIMEOUT_MS });
  const admin = new pg.Client({ connectionString: adminUrl, application_name: 'cosnap-backup-verify', connectionTimeoutMillis: 10_000, statement_timeout: TOOL_TIMEOUT_MS });
  let liveFigures: Figures;
  let created = false;
  try {
    await live.connect();
    await live.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = (await live.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0]!.id;
    liveFigures = await readFigures(live);
    await runTool(pgDump, ['--format=custom', `--snapshot=${snapshot}`, '--no-owner', '--no-privileges', `--file=${dumpFile}`], databaseUrl);
    await live.query('COMMIT');

    await admin.connect();
    await admin.query(`CREATE DATABASE "${scratchName}" TEMPLATE template0`);
    created = true;
    await runTool(pgRestore, ['--exit-on-error', '--no-owner', '--no-privileges', `--dbname=${new URL(scratchUrl).pathname.slice(1)}`, dumpFile], scratchUrl);

    const copy = new pg.Client({ connectionString: scratchUrl, application_name: 'cosnap-backup-verify', connectionTimeoutMillis: 10_000, statement_timeout: TOOL_TIMEOUT_MS });
    await copy.connect();
    let restored: Figures;
    let drift: string[];
    try {
      restored = await readFigures(copy);
      drift = restored.rows.users !== undefined && restored.rows.credit_ledger !== undefined ? await balanceDrift(copy) : [];
    } finally {
      await copy.end();
    }
    const found = differences(liveFigures, restored);
    return {
      verified: found.length === 0 && drift.length === 0,
      database: databaseLocation(databaseUrl),
      scratchDatabase: `${databaseLocation(scratchUrl)}${options.keep ? '' : ' (dropped)'}`,
      ...(options.out && { dump: options.out }),
      tables: Object.keys(liveFigures.rows).length,
      rows: Object.values(liveFigures.rows).reduce((sum, n) => sum + n, 0),
      ledgerUsers: Object.keys(liveFigures.ledger).length,
      differences: found,
      balanceDrift: drift,
      durationMs: Date.now() - started,
    };
  } finally {
    await live.end().catch(() => undefined);
    if (created && !options.keep) await admin.query(`DROP DATABASE IF EXISTS "${scratchName}" WITH (FORCE)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }
}

function printReport(report: Report): void {
  console.log(`database        ${report.database}: ${report.tables} tables, ${report.rows} rows, ${report.ledgerUsers} users in the ledger`);
  console.log(`restored into   ${report.scratchDatabase}`);
  if (report.dump) console.log(`dump            ${report.dump}`);
  for (const line of report.differences) console.log(`DIFFERS         ${line}`);
  for (const line of report.balanceDrift) console.log(`BALANCE DRIFT   ${line}`);
  console.log(
    report.verified
      ? `verified        every table's row count and every user's ledger match (${(report.durationMs / 1000).toFixed(1)} s)`
      : 'NOT VERIFIED    the restored copy differs from the database: do not rely on this backup',
  );
}

const options = commandOptions('ops:backup-verify', USAGE, parseOptions);
loadDotEnv();
const config = loadConfigOrExit();
try {
  const report = await verify(options, config.db.url);
  if (options.json) console.log(JSON.stringify(report));
  else printReport(report);
  process.exitCode = report.verified ? 0 : 1;
} catch (error) {
  console.error(`ops:backup-verify: could not verify ${databaseLocation(config.db.url)}: ${failureLine(error)}`);
  process.exitCode = 3;
}
