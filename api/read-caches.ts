import type { Config } from '../config/index.js';
import type { Db } from '../db/connect.js';
import { createAccountCache, type AccountCache } from '../core/auth/account-cache.js';
import { announceInvalidation, subscribeToInvalidations } from '../core/cache/cache-invalidations.js';
import type { TwoLevelCache } from '../core/cache/two-level-cache.js';
import { createJobViewCache, JOB_VIEW_CACHE } from '../core/jobs/job-view-cache.js';
import type { CachedJobViewRow } from '../core/jobs/job-view.js';
import type { Logger } from '../core/observability/logger.js';
import type { Metrics } from '../core/observability/metrics.js';
import type { RedisClient } from '../core/queues/redis-connection.js';

/** The API's caches of what clients read most, each in memory and in Redis. */
export interface ReadCaches {
  /** Accounts by user id (`GET /api/me`), dropped at each committed change of the user's row. */
  accounts: Pick<AccountCache, 'get'>;
  /** Rows of final jobs by job id (the owner is checked by the reader). */
  jobViews: TwoLevelCache<CachedJobViewRow>;
  /** After this process changed or deleted a job: dropped here and in Redis, and every other process is told. */
  jobChanged(jobId: string): Promise<void>;
  /** A job event (any queue event of the job) reached this process: its cached row, if any, is dropped. */
  jobEvent(jobId: string): void;
}

export interface RunningReadCaches extends ReadCaches {
  close(): Promise<void>;
}

export function createReadCaches(deps: { db: Db; redis: RedisClient; config: Readonly<Config>; logger: Logger; metrics: Metrics }): RunningReadCaches {
  const { config, logger } = deps;
  const jobViews = createJobViewCache({
    db: deps.db,
    redis: deps.redis,
    keyPrefix: config.redis.queuePrefix,
    retention: config.retention,
    metrics: deps.metrics,
  });
  const accounts = createAccountCache({ db: deps.db, databaseUrl: config.db.url, logger, metrics: deps.metrics });
  const subscription = subscribeToInvalidations({
    redis: config.redis,
    queuePrefix: config.redis.queuePrefix,
    logger,
    onNotice(notice) {
      if (notice === 'everything') jobViews.forgetAllLocally();
      else if (notice.cache === JOB_VIEW_CACHE) jobViews.forgetLocally(notice.key);
    },
  });
  return {
    accounts,
    jobViews,
    async jobChanged(jobId) {
      await jobViews.invalidate(jobId);
      await announceInvalidation(deps.redis, config.redis.queuePrefix, { cache: JOB_VIEW_CACHE, key: jobId });
    },
    jobEvent: (jobId) => jobViews.forgetLocally(jobId),
    async close() {
      await subscription.close();
      await accounts.close();
    },
  };
}
