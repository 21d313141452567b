import knex, { type Knex } from 'knex';
import pg from 'pg';
import type { Config } from '../config/index.js';

// bigint counts (COUNT(*), bigserial ids) arrive as strings by default; ours stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Db = Knex;

/** The pool every process uses; statement_timeout bounds every query server-side. */
export function createDb(config: Pick<Config, 'db'>, applicationName = 'cosnap'): Db {
  return knex({
    client: 'pg',
    connection: {
      connectionString: config.db.url,
      application_name: applicationName,
      statement_timeout: config.db.queryTimeoutMs,
      connectionTimeoutMillis: 5_000,
    },
    pool: { min: config.db.poolMin, max: config.db.poolMax },
    acquireConnectionTimeout: 10_000,
  });
}
