import type { Knex } from 'knex';

/** A RunningHub TASK_END webhook names a remote task: find its job without scanning every job. */
export async function up(db: Knex): Promise<void> {
  await db.raw(`CREATE INDEX effect_jobs_remote_task ON effect_jobs ((provider_state->>'taskId')) WHERE provider_state IS NOT NULL`);
}

export async function down(db: Knex): Promise<void> {
  await db.raw(`DROP INDEX effect_jobs_remote_task`);
}
