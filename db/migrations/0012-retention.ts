import type { Knex } from 'knex';

/**
 * Retention. Expired uploads and results lose their objects but keep their rows, tombstoned by `expired_at`, so a
 * user's history still lists the job (as expired) and the credit ledger's keys still name a job that existed. The
 * partial indexes are the clean-up chores' work lists: only rows still holding an object are indexed, so each
 * batch is one short index range however much history has piled up.
 *
 * A deleted account keeps its `users` row, anonymised (`deleted_at`): the append-only ledger refers to it.
 */
export async function up(db: Knex): Promise<void> {
  await db.raw('ALTER TABLE uploads ADD COLUMN expired_at timestamptz');
  await db.raw('ALTER TABLE effect_jobs ADD COLUMN expired_at timestamptz');
  await db.raw('ALTER TABLE users ADD COLUMN deleted_at timestamptz');
  await db.raw('CREATE INDEX uploads_live_expiry ON uploads (expires_at) WHERE expired_at IS NULL');
  await db.raw(`CREATE INDEX effect_jobs_live_results ON effect_jobs (finished_at) WHERE result_key IS NOT NULL AND expired_at IS NULL`);
  // The prune deletes tokens past their expiry; without this it reads the whole table every run.
  await db.raw('CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at)');
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP INDEX IF EXISTS refresh_tokens_expires_at');
  await db.raw('DROP INDEX IF EXISTS effect_jobs_live_results');
  await db.raw('DROP INDEX IF EXISTS uploads_live_expiry');
  await db.raw('ALTER TABLE users DROP COLUMN IF EXISTS deleted_at');
  await db.raw('ALTER TABLE effect_jobs DROP COLUMN IF EXISTS expired_at');
  await db.raw('ALTER TABLE uploads DROP COLUMN IF EXISTS expired_at');
}
