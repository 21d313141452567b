import type { Knex } from 'knex';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

const OPERATIONS = new Set(['select', 'insert', 'update', 'delete', 'with', 'begin', 'commit', 'rollback']);

function operationOf(sql: string | undefined, method: string | undefined): string {
  // knex names the builder method; a raw query is named by its SQL's first word.
  const word = ((method !== 'raw' && method) || /^\s*(\w+)/.exec(sql ?? '')?.[1] || 'other').toLowerCase();
  if (word === 'first' || word === 'pluck') return 'select';
  if (word === 'del') return 'delete';
  return OPERATIONS.has(word) ? word : 'other';
}

interface QueryEvent {
  __knexQueryUid?: string;
  sql?: string;
  method?: string;
}

/**
 * Times every query through knex's query events. Slow ones are counted and logged with their SQL text only —
 * bindings may hold emails or tokens and are never logged.
 */
export function instrumentDb(db: Knex, metrics: Pick<Metrics, 'dbQueryDuration' | 'dbSlowQueries'>, options: { slowQueryMs: number; logger: Logger }): void {
  const started = new Map<string, number>();
  // Errors are counted where they surface (API error handler, job outcome), by class, not here per query.
  const finish = (query: QueryEvent) => {
    const uid = query.__knexQueryUid;
    if (!uid) return;
    const begin = started.get(uid);
    started.delete(uid);
    if (begin === undefined) return;
    const seconds = (performance.now() - begin) / 1000;
    const operation = operationOf(query.sql, query.method);
    metrics.dbQueryDuration.observe({ operation }, seconds);
    if (seconds * 1000 >= options.slowQueryMs) {
      metrics.dbSlowQueries.inc({ operation });
      options.logger.warn('slow query', { operation, durationMs: Math.round(seconds * 1000), sql: query.sql?.slice(0, 500) });
    }
  };
  db.on('query', (query: QueryEvent) => {
    if (query.__knexQueryUid) started.set(query.__knexQueryUid, performance.now());
  });
  db.on('query-response', (_response: unknown, query: QueryEvent) => finish(query));
  db.on('query-error', (_error: unknown, query: QueryEvent) => finish(query));
}
