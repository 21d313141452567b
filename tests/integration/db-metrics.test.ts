import knex, { type Knex } from 'knex';
import winston from 'winston';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentDb } from '../../core/observability/db-metrics.js';
import { createMetrics, type Metrics } from '../../core/observability/metrics.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
let db: Knex;
let metrics: Metrics;

beforeAll(async () => {
  database = await createTestDatabase();
  db = knex({ client: 'pg', connection: database.url, pool: { min: 0, max: 2 } });
  metrics = createMetrics({ service: 'api', version: 'test' });
  instrumentDb(db, metrics, { slowQueryMs: 60_000, logger: winston.createLogger({ silent: true }) });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

async function countsByOperation(): Promise<Record<string, number>> {
  const { values } = await metrics.dbQueryDuration.get();
  return Object.fromEntries(values.filter((value) => value.metricName?.endsWith('_count')).map((value) => [String(value.labels.operation), value.value]));
}

describe('database query metrics', () => {
  it('times builder and raw queries under their SQL operation', async () => {
    await db('effects').select('id').first();
    await db.raw('\n  SELECT id FROM effects WHERE id = ?', ['sketch']);
    await db.raw('select 1').options({ name: 'cosnap_test_prepared' });
    await db.raw('UPDATE effects SET sort_order = sort_order WHERE id = ?', ['sketch']);
    const counts = await countsByOperation();
    expect(counts).toMatchObject({ select: 3, update: 1 });
    expect(counts).not.toHaveProperty('other');
  });
});
