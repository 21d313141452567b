import knex, { type Knex } from 'knex';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { claimDueRecurringJobs, ensureRecurringJobs } from '../../core/queues/recurring-jobs.js';
import { runUnderLease } from '../../core/queues/recurring-job-lease.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

/** The Postgres side of recurring chores: the claim of a due run and the lease of a working run, on a real database. */

let database: TestDatabase;
let db: Knex;

beforeAll(async () => {
  database = await createTestDatabase();
  db = knex({ client: 'pg', connection: database.url, pool: { min: 0, max: 12 } });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

beforeEach(async () => {
  await db('recurring_jobs').del();
  await ensureRecurringJobs(db, ['AcceptedJobsSweep']);
});

const sweep = [{ name: 'AcceptedJobsSweep' as const, everyMs: 60_000 }];
const row = () => db('recurring_jobs').where('name', 'AcceptedJobsSweep').first();

describe('recurring job claims', () => {
  it('gives each due run to exactly one of many workers ticking at once, and schedules the next one', async () => {
    const claims = await Promise.all(Array.from({ length: 10 }, (_, index) => claimDueRecurringJobs(db, sweep, `worker-${index}`)));
    expect(claims.flat()).toEqual([{ name: 'AcceptedJobsSweep', run: 1 }]);
    const after = await row();
    expect(Number(after.run_count)).toBe(1);
    expect(after.next_run_at.getTime()).toBeGreaterThan(Date.now() + 55_000);
    expect(await claimDueRecurringJobs(db, sweep, 'worker-late')).toEqual([]);
  });

  it('keeps a chore that exists already as it is when a worker starts', async () => {
    await db('recurring_jobs').update({ run_count: 7, next_run_at: db.raw(`now() + interval '1 hour'`) });
    await ensureRecurringJobs(db, ['AcceptedJobsSweep']);
    expect(Number((await row()).run_count)).toBe(7);
  });
});

describe('recurring job leases', () => {
  it('lets one run of a chore work at a time; a run that finds it working ends at once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = runUnderLease(db, 'AcceptedJobsSweep', 'first', () => gate);
    await waitFor('the first run to hold the lease', async () => (await row()).lease_owner === 'first');
    expect(await runUnderLease(db, 'AcceptedJobsSweep', 'second', () => Promise.resolve())).toBe('busy');
    release();
    expect(await first).toBe('ran');
    const after = await row();
    expect(after).toMatchObject({ lease_owner: null, lease_expires_at: null, last_outcome: 'succeeded' });
    expect(await runUnderLease(db, 'AcceptedJobsSweep', 'third', () => Promise.resolve())).toBe('ran');
  });

  it('lets a run take over the lease of a run whose worker died', async () => {
    await db('recurring_jobs').update({ lease_owner: 'killed-worker', lease_expires_at: db.raw(`now() - interval '1 second'`) });
    expect(await runUnderLease(db, 'AcceptedJobsSweep', 'next', () => Promise.resolve())).toBe('ran');
  });

  it('records a failed run and frees its lease', async () => {
    await expect(runUnderLease(db, 'AcceptedJobsSweep', 'failing', () => Promise.reject(new Error('sweep failed')))).rejects.toThrow('sweep failed');
    expect(await row()).toMatchObject({ lease_owner: null, last_outcome: 'failed' });
  });

  it('tells a run that lost its lease to stop', async () => {
    let aborted: unknown;
    const run = runUnderLease(
      db,
      'AcceptedJobsSweep',
      'slow',
      (signal) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = signal.reason;
            resolve();
          });
        }),
      300,
    );
    await waitFor('the slow run to hold the lease', async () => (await row()).lease_owner === 'slow');
    // Another run took the lease over (as after renewals failed for a whole lease).
    await db('recurring_jobs').update({ lease_owner: 'usurper' });
    await run;
    expect(String(aborted)).toContain('taken over');
  });
});
