import type { Knex } from 'knex';
import { Cluster, type Redis } from 'ioredis';
import { migrationSource } from '../../db/migrations/index.js';
import { ConfigError } from '../../config/index.js';
import type { Logger } from '../observability/logger.js';
import { whenReady } from '../queues/redis-connection.js';

/** What a production process must refuse to start with, and what it should only warn about. */
export interface ReadinessReport {
  problems: string[];
  warnings: string[];
}

const CHECK_TIMEOUT_MS = 5_000;

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** `field:value` lines of an INFO section. INFO, unlike CONFIG, is answered by managed Redis services too. */
const infoField = (info: string, field: string) => new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();

/**
 * BullMQ keeps every job in Redis keys without a TTL: under any eviction policy but `noeviction`, a full Redis drops
 * queue keys and jobs vanish without a trace (BullMQ's production guide). Without AOF, a restart loses every job
 * queued since the last snapshot: advised, not required, since some deployments accept that.
 */
export async function checkRedisForQueues(redis: Redis | Cluster): Promise<ReadinessReport> {
  const report: ReadinessReport = { problems: [], warnings: [] };
  await whenReady(redis, CHECK_TIMEOUT_MS).catch(() => undefined);
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const variable = redis instanceof Cluster ? 'REDIS_CLUSTER_NODES' : 'REDIS_URL';
  for (const node of nodes) {
    const name = `${node.options.host ?? '?'}:${node.options.port ?? '?'}`;
    let info: string;
    try {
      info = await withTimeout(node.info(), `Redis ${name}`);
    } catch (error) {
      report.problems.push(`${variable}: Redis at ${name} did not answer INFO (${error instanceof Error ? error.message : String(error)})`);
      continue;
    }
    const policy = infoField(info, 'maxmemory_policy');
    if (policy !== 'noeviction')
      report.problems.push(
        `maxmemory-policy=${policy ?? '(unknown)'} on Redis ${name}: BullMQ needs noeviction, or Redis evicts queue keys and loses jobs ` +
          `when memory runs out. Set "maxmemory-policy noeviction" in redis.conf, or run CONFIG SET maxmemory-policy noeviction`,
      );
    if (infoField(info, 'aof_enabled') !== '1')
      report.warnings.push(
        `appendonly=no on Redis ${name}: a Redis restart loses the jobs queued since its last snapshot. ` +
          `Set "appendonly yes" and "appendfsync everysec" in redis.conf (CONFIG SET appendonly yes)`,
      );
  }
  return report;
}

/** Postgres answers, and every migration this build ships has been applied (the pre-deploy step's work). */
export async function checkPostgresSchema(db: Knex): Promise<ReadinessReport> {
  const report: ReadinessReport = { problems: [], warnings: [] };
  try {
    await withTimeout(db.raw('select 1'), 'Postgres');
    const [, pending] = (await withTimeout(db.migrate.list({ migrationSource }), 'Postgres migrations')) as [unknown[], string[]];
    if (pending.length) {
      const names = pending.map((name) => migrationSource.getMigrationName(name));
      report.problems.push(
        `DATABASE_URL: ${pending.length} migration(s) not applied (${names.join(', ')}): run the release step, npm run release, before starting`,
      );
    }
  } catch (error) {
    report.problems.push(`DATABASE_URL: Postgres is not reachable (${error instanceof Error ? error.message : String(error)})`);
  }
  return report;
}

export async function checkProductionReadiness(deps: { db: Knex; redis: Redis | Cluster }): Promise<ReadinessReport> {
  const [redis, postgres] = await Promise.all([checkRedisForQueues(deps.redis), checkPostgresSchema(deps.db)]);
  return { problems: [...postgres.problems, ...redis.problems], warnings: [...postgres.warnings, ...redis.warnings] };
}

/**
 * Production start-up (API and worker): refuses to run, with every problem and the setting that fixes it, when the
 * queues could lose jobs or the schema is behind the code; logs the warnings and goes on otherwise.
 */
export async function assertProductionReady(deps: { db: Knex; redis: Redis | Cluster; logger: Logger }): Promise<void> {
  const { problems, warnings } = await checkProductionReadiness(deps);
  for (const warning of warnings) deps.logger.warn(`start-up check: ${warning}`);
  if (problems.length) throw new ConfigError(problems);
}
