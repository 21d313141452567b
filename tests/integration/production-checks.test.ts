import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import knex, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/index.js';
import { createLogger } from '../../core/observability/logger.js';
import { assertProductionReady, checkPostgresSchema, checkRedisForQueues } from '../../core/startup/production-checks.js';
import { startTestRedis, type TestRedis } from '../support/private-servers.js';
import { createTestDatabase, ADMIN_DATABASE_URL, type TestDatabase } from '../support/test-database.js';
import { freePort, REDIS_URL } from '../support/test-stack.js';

const quiet = createLogger({ level: 'error', service: 'test', json: true });

describe('production start-up checks', () => {
  let privateRedis: TestRedis;
  let redis: Redis;
  let migrated: TestDatabase;
  let migratedDb: Knex;
  let admin: Knex;
  const emptyName = `cosnap_test_empty_${randomBytes(4).toString('hex')}`;
  let emptyDb: Knex;

  beforeAll(async () => {
    // A private server: its memory policy is changed below, which the shared one must never be.
    privateRedis = await startTestRedis();
    redis = new Redis(privateRedis.url, { maxRetriesPerRequest: 1 });
    migrated = await createTestDatabase();
    migratedDb = knex({ client: 'pg', connection: migrated.url, pool: { min: 0, max: 2 } });
    admin = knex({ client: 'pg', connection: ADMIN_DATABASE_URL, pool: { min: 0, max: 1 } });
    await admin.raw(`CREATE DATABASE ${emptyName}`);
    const url = new URL(ADMIN_DATABASE_URL);
    url.pathname = `/${emptyName}`;
    emptyDb = knex({ client: 'pg', connection: url.toString(), pool: { min: 0, max: 2 } });
  });

  afterAll(async () => {
    redis?.disconnect();
    await privateRedis?.close();
    await migratedDb?.destroy();
    await migrated?.drop();
    await emptyDb?.destroy();
    await admin?.raw(`DROP DATABASE IF EXISTS ${emptyName} WITH (FORCE)`);
    await admin?.destroy();
  });

  it('refuses a Redis that may evict keys, naming the exact setting to use', async () => {
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const { problems } = await checkRedisForQueues(redis);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^maxmemory-policy=allkeys-lru on Redis /);
    expect(problems[0]).toContain('maxmemory-policy noeviction');
    expect(problems[0]).toContain('CONFIG SET maxmemory-policy noeviction');
  });

  it('accepts noeviction, and warns while AOF is off until it is on', async () => {
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    await redis.config('SET', 'appendonly', 'no');
    const off = await checkRedisForQueues(redis);
    expect(off.problems).toEqual([]);
    expect(off.warnings).toHaveLength(1);
    expect(off.warnings[0]).toContain('appendonly yes');
    await redis.config('SET', 'appendonly', 'yes');
    expect(await checkRedisForQueues(redis)).toEqual({ problems: [], warnings: [] });
  });

  it('reads the shared Redis without changing it', async () => {
    const shared = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const policy = ((await shared.config('GET', 'maxmemory-policy')))[1];
      const { problems } = await checkRedisForQueues(shared);
      expect(problems.length).toBe(policy === 'noeviction' ? 0 : 1);
    } finally {
      shared.disconnect();
    }
  });

  it('accepts a reachable Postgres with every migration applied', async () => {
    expect(await checkPostgresSchema(migratedDb)).toEqual({ problems: [], warnings: [] });
  });

  it('refuses a database the release step has not migrated, naming the step', async () => {
    const { problems } = await checkPostgresSchema(emptyDb);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DATABASE_URL: \d+ migration\(s\) not applied \(0001-core-schema, /);
    expect(problems[0]).toContain('npm run release');
  });

  it('refuses an unreachable Postgres within its timeout', async () => {
    const port = await freePort();
    const ignore = () => undefined;
    const nowhere = knex({
      client: 'pg',
      connection: `postgres://postgres@127.0.0.1:${port}/none`,
      pool: { min: 0, max: 1 },
      // Its pool reports the refused connection on its own; the check's report is what is asserted.
      log: { error: ignore, warn: ignore, debug: ignore, deprecate: ignore },
    });
    try {
      const { problems } = await checkPostgresSchema(nowhere);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^DATABASE_URL: Postgres is not reachable/);
    } finally {
      await nowhere.destroy();
    }
  });

  it('stops start-up with every problem at once, as a configuration error', async () => {
    await redis.config('SET', 'maxmemory-policy', 'volatile-lru');
    const refused = await assertProductionReady({ db: emptyDb, redis, logger: quiet }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).problems.map((problem) => problem.split(':')[0])).toEqual(['DATABASE_URL', 'maxmemory-policy=volatile-lru on Redis 127.0.0.1']);
  });
});
