import type { Knex } from 'knex';
import * as coreSchema from './0001-core-schema.js';

interface Migration {
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

/** Listed here rather than globbed from disk so the same list runs from TypeScript sources and compiled output. */
const migrations: Record<string, Migration> = {
  '0001-core-schema': coreSchema,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: () => Promise.resolve(Object.keys(migrations)),
  getMigrationName: (name) => name,
  getMigration: (name) => Promise.resolve(migrations[name]!),
};
