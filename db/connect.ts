import knex, { type Knex } from 'knex';
import pg from 'pg';
import type { Config } from '../config/index.js';

/** What the pool reports through: any logger with these levels (the app's winston logger is one). */
export interface PoolLogger {
  warn(message: string, meta?: Record<string, unknown>): unknown;
  debug(message: string, meta?: Record<string, unknown>): unknown;
}

// bigint counts (COUNT(*), bigserial ids) arrive as strings by default; ours stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Db = Knex;

/**
 * The pool every process uses; statement_timeout bounds every query server-side. knex's own messages (a pooled
 * connection that died when Postgres restarted, a refused connection attempt) go to `logger` instead of the
 * console; each failure the caller sees is reported where it surfaces, so they are kept at debug/warn.
 */
export function createDb(config: Pick<Config, 'db'>, applicationName = 'cosnap', logger?: PoolLogger): Db {
  return knex({
    ...(logger && {
      log: {
        warn: (message: string) => logger.warn('database pool', { detail: firstLine(message) }),
        error: (message: string) => logger.warn('database pool error', { detail: firstLine(message) }),
        deprecate: (message: string) => logger.warn('knex deprecation', { detail: message }),
        debug: (message: string) => logger.debug('knex', { detail: message }),
      },
    }),
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

const firstLine = (message: unknown) => String(message).split('\n')[0];
