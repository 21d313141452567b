import type { Knex } from 'knex';
import { migrationSource } from './migrations/index.js';

/** Brings the schema to the latest version; returns the migrations applied. */
export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}
