import knex, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedEffectCatalog } from '../../core/effects/effect-catalog.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
let db: Knex;
let selects = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  db = knex({ client: 'pg', connection: database.url, pool: { min: 0, max: 4 } });
  db.on('query', (query: { sql?: string }) => {
    if (query.sql?.startsWith('select') && query.sql.includes('"effects"')) selects++;
  });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe('the cached effect catalog', () => {
  it('reads the database once per TTL, shows a change after it, and shares one read among concurrent misses', async () => {
    let now = 1_000_000;
    const catalog = cachedEffectCatalog(db, { ttlMs: 10_000, now: () => now });
    selects = 0;
    const [first, second] = await Promise.all([catalog.listEnabled(), catalog.listEnabled()]);
    expect(selects).toBe(1);
    expect(second).toBe(first);
    const sketch = first.find((effect) => effect.id === 'sketch');
    expect(sketch).toBeDefined();

    await db('effects').where('id', 'sketch').update({ enabled: false });
    try {
      now += 9_999;
      expect((await catalog.listEnabled()).some((effect) => effect.id === 'sketch')).toBe(true);
      expect(selects).toBe(1);
      now += 2; // past the TTL (an entry is good for exactly ttlMs)
      expect((await catalog.listEnabled()).some((effect) => effect.id === 'sketch')).toBe(false);
      expect(selects).toBe(2);
    } finally {
      await db('effects').where('id', 'sketch').update({ enabled: true });
    }
  });

  it('does not keep a failed read', async () => {
    const catalog = cachedEffectCatalog(db, { ttlMs: 60_000 });
    await db.raw('ALTER TABLE effects RENAME TO effects_moved');
    try {
      await expect(catalog.listEnabled()).rejects.toThrow();
    } finally {
      await db.raw('ALTER TABLE effects_moved RENAME TO effects');
    }
    expect((await catalog.listEnabled()).length).toBeGreaterThan(0);
  });
});
