import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import knex, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAccount, type Account } from '../../core/auth/accounts.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { auditLines, runUsersCommand, type CommandResult } from '../support/users-command.js';

let database: TestDatabase;
let db: Knex;
// LOG_LEVEL=error on purpose: the audit line must be written however quiet the logs are set.
let env: Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase();
  db = knex({ client: 'pg', connection: database.url, pool: { min: 0, max: 2 } });
  env = { NODE_ENV: 'test', DATABASE_URL: database.url, LOG_LEVEL: 'error' };
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

const password = `pw-${randomBytes(8).toString('hex')}`;

async function account(prefix: string): Promise<Account> {
  return registerAccount(db, { email: `${prefix}-${randomBytes(4).toString('hex')}@example.test`, password }, { signupCredits: 0 });
}

const roleOf = async (id: string) => (await db('users').where('id', id).first<{ role: string }>('role')).role;
const sessionVersionOf = async (id: string) => (await db('users').where('id', id).first<{ session_version: number }>('session_version')).session_version;
const users = (...args: string[]) => runUsersCommand(args, env);

/** `list` output as [role, email] pairs, in the order printed. */
function listed(result: CommandResult): Array<[string, string]> {
  expect(result.code, result.stderr).toBe(0);
  return result.stdout
    .trim()
    .split('\n')
    .filter((line) => /^(admin|ops)\s/.test(line))
    .map((line) => line.split(/\s+/).slice(0, 2) as [string, string]);
}

/** One line on stderr, nothing on stdout that looks like a change. */
function expectRefusal(result: CommandResult, code: number, message: RegExp) {
  expect(result.code).toBe(code);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(message);
  expect(auditLines(result.stdout)).toEqual([]);
}

describe('npm run users', () => {
  it('grants admin and ops by email, lists who holds them and logs one audit line per change', async () => {
    const [alice, bob, carol] = [await account('alice'), await account('bob'), await account('carol')];

    const granted = await users('role', alice.email.toUpperCase(), 'admin');
    expect(granted.code, granted.stderr).toBe(0);
    expect(granted.stdout).toContain(`${alice.email}: user -> admin`);
    const [audit, ...more] = auditLines(granted.stdout);
    expect(more).toEqual([]);
    expect(audit).toMatchObject({
      level: 'info',
      message: 'user role changed',
      service: 'users',
      audit: 'user.role.changed',
      userId: alice.id,
      email: alice.email,
      fromRole: 'user',
      toRole: 'admin',
      actor: { osUser: expect.any(String), host: expect.any(String) },
    });
    expect(Date.now() - Date.parse(audit!.timestamp)).toBeLessThan(60_000);
    expect(granted.stdout).not.toContain(password);
    expect(granted.stdout).not.toMatch(/\$argon2|password_hash|postgres:\/\//);

    expect((await users('role', bob.email, 'ops')).code).toBe(0);
    expect([await roleOf(alice.id), await roleOf(bob.id), await roleOf(carol.id)]).toEqual(['admin', 'ops', 'user']);

    const list = listed(await users('list'));
    expect(list).toContainEqual(['admin', alice.email]);
    expect(list).toContainEqual(['ops', bob.email]);
    expect(list.map(([, email]) => email)).not.toContain(carol.email);
    expect(list.findIndex(([role]) => role === 'admin')).toBeLessThan(list.findIndex(([role]) => role === 'ops'));
  });

  it('revokes a role with "user": the change is logged, the account leaves the list and is signed out everywhere', async () => {
    const dana = await account('dana');
    expect((await users('role', dana.email, 'admin')).code).toBe(0);
    expect(listed(await users('list'))).toContainEqual(['admin', dana.email]);
    const sessionVersion = await sessionVersionOf(dana.id);

    const revoked = await users('role', dana.email, 'user');
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(auditLines(revoked.stdout)).toMatchObject([{ userId: dana.id, fromRole: 'admin', toRole: 'user' }]);
    expect(await roleOf(dana.id)).toBe('user');
    expect(listed(await users('list')).map(([, email]) => email)).not.toContain(dana.email);
    // Access tokens carry the session version: a bump ends every one already issued.
    expect(await sessionVersionOf(dana.id)).toBe(sessionVersion + 1);
  });

  it('logs nothing when the account already has the role', async () => {
    const erin = await account('erin');
    expect((await users('role', erin.email, 'ops')).code).toBe(0);
    const again = await users('role', erin.email, 'ops');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already has the role ops');
    expect(auditLines(again.stdout)).toEqual([]);
  });

  it('refuses an unknown email with one line and exit 1, changing nothing', async () => {
    const before = await db('users').orderBy('id').select('id', 'role');
    expectRefusal(await users('role', 'nobody@example.test', 'admin'), 1, /^users: No account has the email nobody@example\.test$/m);
    expect(await db('users').orderBy('id').select('id', 'role')).toEqual(before);
  });

  it('refuses an unknown role with one line and exit 2, before it reaches the database', async () => {
    const frank = await account('frank');
    const [refused, offline] = await Promise.all([
      users('role', frank.email, 'root'),
      // No database at all: the role is refused first, so the answer is the same.
      runUsersCommand(['role', frank.email, 'superuser'], { ...env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }),
    ]);
    expectRefusal(refused, 2, /Unknown role "root": use one of user, ops, admin/);
    expectRefusal(offline, 2, /Unknown role "superuser"/);
    expect(await roleOf(frank.id)).toBe('user');
  });

  it('prints its usage with --help, and refuses a missing or unknown command with exit 2', async () => {
    const [help, none, unknown, short] = await Promise.all([
      users('--help'),
      users(),
      users('promote', 'someone@example.test'),
      users('role', 'someone@example.test'),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/npm run users -- role <email> admin\|ops\|user/);
    expect(help.stdout).toMatch(/npm run users -- list/);
    expect(help.stdout).toContain('node dist/scripts/users.js');
    expectRefusal(none, 2, /no command given/);
    expectRefusal(unknown, 2, /unknown command "promote"/);
    expectRefusal(short, 2, /wrong arguments for "role"/);
  });

  it('says which database it could not reach, without the credentials in DATABASE_URL', async () => {
    const result = await runUsersCommand(['list'], { ...env, DATABASE_URL: 'postgres://postgres:not-the-password@127.0.0.1:1/none' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^users: database 127\.0\.0\.1:1\/none: .*ECONNREFUSED/m);
    expect(result.stdout + result.stderr).not.toContain('not-the-password');
  });

  it('runs from the production build (compiled with tsconfig.build.json) the same way', async () => {
    const buildConfig = JSON.parse(readFileSync('tsconfig.build.json', 'utf8')) as { include: string[] };
    expect(buildConfig.include, 'npm run build:server compiles scripts/').toContain('scripts');

    // Inside the repository, so the compiled files resolve node_modules as dist/ does.
    await mkdir('test-artifacts', { recursive: true });
    const outDir = await mkdtemp(resolve('test-artifacts', 'users-build-'));
    try {
      const fromOut = (path: string) => relative(outDir, resolve(path));
      await writeFile(
        join(outDir, 'tsconfig.json'),
        JSON.stringify({ extends: fromOut('tsconfig.build.json'), compilerOptions: { outDir: '.' }, files: [fromOut('scripts/users.ts')], include: [] }),
      );
      const compiled = await runUsersCommand([], {}, [resolve('node_modules/typescript/bin/tsc'), '-p', join(outDir, 'tsconfig.json')]);
      expect(compiled.code, compiled.stdout + compiled.stderr).toBe(0);

      const built = [join(outDir, 'scripts', 'users.js')];
      const gail = await account('gail');
      const granted = await runUsersCommand(['role', gail.email, 'ops'], env, built);
      expect(granted.code, granted.stderr).toBe(0);
      expect(auditLines(granted.stdout)).toMatchObject([{ userId: gail.id, fromRole: 'user', toRole: 'ops' }]);
      expect(listed(await runUsersCommand(['list'], env, built))).toContainEqual(['ops', gail.email]);
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });
});
