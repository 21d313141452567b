import { chmod, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOnPath } from '../../scripts/local-services.js';
import { apiClient, registerUser } from '../support/http-client.js';
import { fromSource, runNodeScript } from '../support/node-script.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/**
 * `npm run ops:backup-verify` against the stack's real database: a good backup is verified, and a restore that
 * went wrong is caught. The bad restore is Postgres' own pg_restore followed by a change to the copy, run from a
 * PG_BIN_DIR of wrappers — the way an operator points the command at a server version's tools.
 */

let stack: TestStack;
let work: string;
const backupVerify = (args: string[], env: Record<string, string> = {}) =>
  runNodeScript(fromSource('scripts/ops/backup-verify.ts'), args, { ...stack.env, ...env }, 120_000);

/** A PG_BIN_DIR whose pg_restore restores, then runs `sql` on the copy. */
async function corruptingTools(name: string, sql: string): Promise<string> {
  const dir = join(work, name);
  const [pgDump, pgRestore, psql] = ['pg_dump', 'pg_restore', 'psql'].map((tool) => findOnPath(tool));
  if (!pgDump || !pgRestore || !psql) throw new Error('pg_dump, pg_restore and psql must be on PATH (apt-get install postgresql-client)');
  await mkdir(dir);
  await symlink(pgDump, join(dir, 'pg_dump'));
  const wrapper = `#!/bin/sh
"${pgRestore}" "$@" || exit $?
for arg in "$@"; do case "$arg" in --dbname=*) db="\${arg#--dbname=}";; esac; done
exec "${psql}" -v ON_ERROR_STOP=1 -q -d "$db" -c "SET session_replication_role = replica; ${sql}"
`;
  await writeFile(join(dir, 'pg_restore'), wrapper);
  await chmod(join(dir, 'pg_restore'), 0o755);
  return dir;
}

const scratchDatabaseOf = (report: { scratchDatabase: string }) => report.scratchDatabase.split('/')[1]!.split(' ')[0]!;
const databaseExists = async (name: string) => (await stack.db('pg_database').where('datname', name).count({ n: '*' }))[0]!.n !== 0;

beforeAll(async () => {
  stack = await startTestStack();
  work = await mkdtemp(join(tmpdir(), 'cosnap-backup-verify-test-'));
  const client = apiClient(stack.baseUrl);
  for (let index = 0; index < 3; index += 1) await registerUser(client, 'backup');
});

afterAll(async () => {
  await stack?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('npm run ops:backup-verify', () => {
  it('verifies a good backup, keeps the dump when asked and drops its scratch database', async () => {
    const out = join(work, 'cosnap.dump');
    const result = await backupVerify(['--json', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ verified: true, differences: [], balanceDrift: [], dump: out });
    expect(report.ledgerUsers).toBeGreaterThanOrEqual(3);
    expect(report.tables).toBeGreaterThanOrEqual(10);
    expect((await stat(out)).size).toBeGreaterThan(1_000);
    expect(await databaseExists(scratchDatabaseOf(report))).toBe(false);

    const text = await backupVerify([]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^verified\s+every table's row count and every user's ledger match/m);
  });

  it("detects a restore that changed one ledger entry: that user's sum differs and its balance drifts", async () => {
    const user = (await stack.db('credit_ledger').orderBy('id').first('user_id')).user_id as string;
    const bin = await corruptingTools('ledger', 'UPDATE credit_ledger SET delta = delta + 5 WHERE id = (SELECT min(id) FROM credit_ledger)');
    const result = await backupVerify(['--json'], { PG_BIN_DIR: bin });
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.verified).toBe(false);
    expect(report.differences).toEqual([expect.stringContaining(`ledger of user ${user}`)]);
    expect(report.balanceDrift).toEqual([expect.stringContaining(`user ${user}`)]);
    expect(await databaseExists(scratchDatabaseOf(report))).toBe(false);
  });

  it('detects a restore that lost rows of a table, and says so in its text report', async () => {
    const bin = await corruptingTools('rows', 'DELETE FROM refresh_tokens WHERE id = (SELECT id FROM refresh_tokens LIMIT 1)');
    const result = await backupVerify([], { PG_BIN_DIR: bin });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^DIFFERS\s+table refresh_tokens: (\d+) rows in the database, (\d+) restored/m);
    expect(result.stdout).toMatch(/^NOT VERIFIED/m);
  });

  it('fails with exit 3 and the reason when it cannot run, and refuses wrong usage with exit 2', async () => {
    const empty = join(work, 'no-tools');
    await mkdir(empty);
    const missing = await backupVerify([], { PG_BIN_DIR: empty });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/no-tools\/pg_dump does not exist/);

    const unreachable = await backupVerify([], { DATABASE_URL: 'postgres://postgres:not-the-password@127.0.0.1:1/none' });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(/could not verify 127\.0\.0\.1:1\/none: .*ECONNREFUSED/);
    expect(unreachable.stdout + unreachable.stderr).not.toContain('not-the-password');

    expect((await backupVerify(['--scratch-url', 'mysql://x'])).code).toBe(2);
  });
});
