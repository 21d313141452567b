import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, registerUser, uploadImage } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { fromSource, runNodeScript } from '../support/node-script.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/**
 * `npm run ops:cleanup` as an operator runs it: a separate process with the deployment's environment, against the
 * stack's real database, Redis and storage (local disk or the fake OSS bucket), with no worker running the chores.
 */

let stack: TestStack;
let cliTmp: string;
const cleanup = (...args: string[]) => runNodeScript(fromSource('scripts/ops/cleanup.ts'), args, { ...stack.env, TMPDIR: cliTmp });
const ago = (ms: number) => new Date(Date.now() - ms);

beforeAll(async () => {
  stack = await startTestStack({ CLEANUP_GRACE: '1s' });
  // Its own temporary folder: TempFilesSweep must not see other test runs' upload files.
  cliTmp = await mkdtemp(join(tmpdir(), 'cosnap-ops-cleanup-'));
});

afterAll(async () => {
  await stack?.close();
  if (cliTmp) await rm(cliTmp, { recursive: true, force: true });
});

async function expiredUpload(): Promise<{ id: string; key: string }> {
  const client = apiClient(stack.baseUrl);
  const user = await registerUser(client, 'ops-cleanup');
  const upload = await uploadImage(stack.baseUrl, user.token, await makeJpeg(32, 24));
  expect(upload.status).toBe(201);
  await stack.db('uploads').where('id', upload.body.id).update({ expires_at: ago(1_000) });
  const row = await stack.db('uploads').where('id', upload.body.id).first('storage_key');
  return { id: upload.body.id as string, key: row.storage_key as string };
}

async function orphanObject(): Promise<string> {
  const key = `uploads/${randomUUID()}/${randomUUID()}.jpg`;
  await stack.api.deps.storage.put(key, Buffer.from('x'), { mime: 'image/jpeg' });
  await stack.setObjectTime(key, ago(60_000));
  return key;
}

const exists = (key: string) => stack.api.deps.storage.exists(key);
const holdLease = (name: string, owner: string | null) =>
  stack.db('recurring_jobs').where('name', name).update({ lease_owner: owner, lease_expires_at: owner ? new Date(Date.now() + 120_000) : null });

describe('npm run ops:cleanup', () => {
  it('reports in a dry run what it would delete and deletes nothing, then deletes it; a chore a worker holds is left to it', async () => {
    const upload = await expiredUpload();
    const orphan = await orphanObject();

    const dry = await cleanup('--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    const dryReport = JSON.parse(dry.stdout);
    expect(dryReport.dryRun).toBe(true);
    expect(dryReport.chores.UploadsExpire).toMatchObject({ outcome: 'ran', report: { object: expect.any(Number) } });
    expect(dryReport.chores.UploadsExpire.report.object).toBeGreaterThanOrEqual(1);
    expect(dryReport.chores.OrphanObjectsSweep.report.object).toBeGreaterThanOrEqual(1);
    expect(Object.keys(dryReport.chores)).toEqual(['UploadsExpire', 'ResultsExpire', 'OrphanObjectsSweep', 'TempFilesSweep', 'RefreshTokensPrune', 'FinishedJobsTrim']);
    expect(await exists(upload.key)).toBe(true);
    expect(await exists(orphan)).toBe(true);
    expect((await stack.db('uploads').where('id', upload.id).first('expired_at')).expired_at).toBeNull();

    // A worker is running the orphan sweep right now (it holds the chore's lease): the command leaves it alone.
    await holdLease('OrphanObjectsSweep', 'worker-elsewhere:1:OrphanObjectsSweep-9');
    const busy = await cleanup();
    expect(busy.code, busy.stderr).toBe(3);
    expect(busy.stdout).toMatch(/^UploadsExpire\s+deleted: .*object \d+/m);
    expect(busy.stdout).toMatch(/^OrphanObjectsSweep\s+busy: a worker is running it now/m);
    expect(await exists(upload.key)).toBe(false);
    expect((await stack.db('uploads').where('id', upload.id).first('expired_at')).expired_at).not.toBeNull();
    expect(await exists(orphan)).toBe(true);
    expect((await stack.db('recurring_jobs').where('name', 'OrphanObjectsSweep').first('lease_owner')).lease_owner).toBe('worker-elsewhere:1:OrphanObjectsSweep-9');

    await holdLease('OrphanObjectsSweep', null);
    const only = await cleanup('--only', 'OrphanObjectsSweep');
    expect(only.code, only.stderr).toBe(0);
    expect(only.stdout.trim().split('\n')).toHaveLength(1);
    expect(await exists(orphan)).toBe(false);
    // Its own lease is let go when it is done: the workers' next run is not held up.
    expect((await stack.db('recurring_jobs').where('name', 'OrphanObjectsSweep').first('lease_owner')).lease_owner).toBeNull();
  });

  it('refuses wrong usage with exit 2 and says why a database it cannot reach failed, without its password', async () => {
    const help = await cleanup('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--dry-run/);
    const unknown = await cleanup('--only', 'UploadsExpire,Vacuum');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown chore Vacuum/);

    const unreachable = await runNodeScript(fromSource('scripts/ops/cleanup.ts'), ['--only', 'UploadsExpire'], {
      ...stack.env,
      TMPDIR: cliTmp,
      DATABASE_URL: 'postgres://postgres:not-the-password@127.0.0.1:1/none',
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout + unreachable.stderr).toMatch(/ECONNREFUSED|connect/);
    expect(unreachable.stdout + unreachable.stderr).not.toContain('not-the-password');
  });
});
