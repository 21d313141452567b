import { randomBytes } from 'node:crypto';
import knex from 'knex';
import { migrateAndSeed } from '../../scripts/release-step.js';

/** The server the tests create their databases on; the same Postgres the README's prerequisites name. */
export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated and seeded database of its own for one test file, dropped afterwards. */
export async function createTestDatabase(adminUrl = ADMIN_DATABASE_URL): Promise<TestDatabase> {
  const name = `cosnap_test_${randomBytes(5).toString('hex')}`;
  const admin = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`CREATE DATABASE ${name}`);
  } catch (error) {
    await admin.destroy();
    throw new Error(
      `Cannot create a test database on ${adminUrl} (is PostgreSQL running? set TEST_DATABASE_URL): ${String(error)}`,
      { cause: error },
    );
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = knex({ client: 'pg', connection: url.toString(), pool: { min: 0, max: 2 } });
  try {
    await migrateAndSeed(db, { diagnosticEffects: true });
  } finally {
    await db.destroy();
  }
  return {
    url: url.toString(),
    async drop() {
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    },
  };
}
