import type { Knex } from 'knex';

/**
 * The schedule of recurring chores (the accepted-jobs sweep today; payment reconciliation and retention later).
 * It lives here rather than in Redis because losing it is exactly what must not stop the sweep: Redis can be
 * flushed or replaced by an empty replica while every process keeps running. Each worker's ticker claims a due
 * run with one conditional UPDATE of `next_run_at`; the lease columns let only one run of a chore work at a time.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('recurring_jobs', (t) => {
    t.text('name').primary();
    t.timestamp('next_run_at', { useTz: true }).notNullable();
    // Numbers the runs: the BullMQ id of a run is `<name>-<run_count>`, so a claim enqueues one job whatever happens.
    t.bigInteger('run_count').notNullable().defaultTo(0);
    t.text('claimed_by');
    t.text('lease_owner');
    t.timestamp('lease_expires_at', { useTz: true });
    t.timestamp('last_started_at', { useTz: true });
    t.timestamp('last_finished_at', { useTz: true });
    t.text('last_outcome');
    t.check(`last_outcome IN ('succeeded', 'failed')`, [], 'recurring_jobs_outcome_known');
    t.check('(lease_owner IS NULL) = (lease_expires_at IS NULL)', [], 'recurring_jobs_lease_whole');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('recurring_jobs');
}
