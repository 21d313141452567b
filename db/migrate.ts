import type { Knex } from 'knex';
import { migrationSource } from './migrations/index.js';
import { seedEffectCatalog } from './effect-catalog-seed.js';

/** Brings the schema to the latest version and the effect catalog in line with the code. Safe to run on every deploy. */
export async function migrateAndSeed(db: Knex, options: { diagnosticEffects: boolean }): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  await seedEffectCatalog(db, options);
  return applied;
}
