import { loadConfig } from '../config/index.js';
import { createDb } from '../db/connect.js';
import { migrateAndSeed } from './release-step.js';

/** `npm run migrate` and the Procfile's release step. */
const config = loadConfig();
const db = createDb(config, 'cosnap-migrate');
try {
  const applied = await migrateAndSeed(db, { diagnosticEffects: config.jobs.diagnosticEffects });
  console.log(applied.length ? `migrated: ${applied.join(', ')}` : 'schema up to date; effect catalog seeded');
} catch (error) {
  console.error('migration failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
