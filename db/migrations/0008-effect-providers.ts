import type { Knex } from 'knex';

/**
 * Providers are plugged in by code (`core/effects/effect-providers.ts`), so the catalog's `provider` is a name, not a
 * closed enum that each new provider would have to migrate. And a provider may record state on the job it runs (a
 * remote task id) so that a retry, or a recovery after its worker died, resumes the remote work instead of starting
 * it again.
 */
export async function up(db: Knex): Promise<void> {
  await db.raw(`ALTER TABLE effects ALTER COLUMN provider TYPE text USING provider::text`);
  await db.raw(`ALTER TABLE effects ADD CONSTRAINT effects_provider_name CHECK (provider ~ '^[a-z][a-z0-9-]{0,39}$')`);
  await db.raw(`DROP TYPE effect_provider`);
  await db.raw(`ALTER TABLE effect_jobs ADD COLUMN provider_state jsonb`);
}

export async function down(db: Knex): Promise<void> {
  await db.raw(`ALTER TABLE effect_jobs DROP COLUMN provider_state`);
  await db.raw(`CREATE TYPE effect_provider AS ENUM ('local', 'runninghub')`);
  await db.raw(`ALTER TABLE effects DROP CONSTRAINT effects_provider_name`);
  // Fails while effects of other providers exist: they must be removed first, deliberately.
  await db.raw(`ALTER TABLE effects ALTER COLUMN provider TYPE effect_provider USING provider::effect_provider`);
}
