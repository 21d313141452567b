import type { Knex } from 'knex';
import { migrateLatest } from '../db/migrate.js';
import { seedEffectCatalog } from '../core/effects/effect-catalog-seed.js';

/**
 * The release step (`npm run migrate`, the Procfile's `release`, `npm start`, the tests' databases): the schema to
 * the latest version, then the effect catalog in line with the code. Safe to run on every deploy.
 */
export async function migrateAndSeed(db: Knex, options: { diagnosticEffects: boolean }): Promise<string[]> {
  const applied = await migrateLatest(db);
  await seedEffectCatalog(db, options);
  return applied;
}
