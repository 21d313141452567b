import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { createTwoLevelCache, type TwoLevelCache } from '../cache/two-level-cache.js';
import type { Metrics } from '../observability/metrics.js';
import type { RedisClient } from '../queues/redis-connection.js';
import { UNFINISHED, type JobStatus } from './effect-job-records.js';
import { findJobViewRow, type CachedJobViewRow } from './job-view.js';

export const JOB_VIEW_CACHE = 'job_view';

/** Longest a final view is kept at either level; retention deadlines shorten it. */
const MAX_TTL_MS = 10 * 60_000;
/** A view is not kept into the last moments before retention may change it (the sweep's clock is not ours). */
const DEADLINE_MARGIN_MS = 5_000;

const DATE_COLUMNS = ['created_at', 'started_at', 'finished_at', 'expired_at', 'upload_expired_at', 'upload_expires_at'] as const;

const isFinal = (status: JobStatus) => !UNFINISHED.includes(status);

/**
 * How long the row of a job may be kept: never while it is queued or running (its status changes with every
 * event), and once final until the first retention deadline (result or upload expiry), which is the next and
 * only change a final row sees besides its deletion (which invalidates it).
 */
export function cacheableForMs(row: CachedJobViewRow, retention: { resultTtlMs: number }, now = Date.now()): number {
  if (!isFinal(row.status)) return 0;
  const deadlines: number[] = [now + MAX_TTL_MS];
  if (row.result_key && !row.expired_at && row.finished_at) deadlines.push(row.finished_at.getTime() + retention.resultTtlMs);
  if (!row.upload_expired_at) deadlines.push(row.upload_expires_at.getTime());
  return Math.max(0, Math.min(...deadlines) - DEADLINE_MARGIN_MS - now);
}

function decodeRow(text: string): CachedJobViewRow {
  const row = JSON.parse(text) as Record<string, unknown>;
  for (const column of DATE_COLUMNS) if (typeof row[column] === 'string') row[column] = new Date(row[column]);
  return row as unknown as CachedJobViewRow;
}

/**
 * Final job rows (immutable but for retention and deletion) by job id, in memory and in Redis. A running job is
 * always read from Postgres, so no event can ever be ahead of what a reader sees, on any API process.
 */
export function createJobViewCache(deps: {
  db: Knex;
  redis: RedisClient;
  keyPrefix: string;
  retention: { resultTtlMs: number };
  metrics?: Pick<Metrics, 'cacheRequests'>;
}): TwoLevelCache<CachedJobViewRow> {
  return createTwoLevelCache<CachedJobViewRow>({
    name: JOB_VIEW_CACHE,
    maxEntries: 10_000,
    memoryTtlMs: MAX_TTL_MS,
    redis: { client: deps.redis, keyPrefix: deps.keyPrefix, encode: (row) => JSON.stringify(row), decode: decodeRow },
    async load(id) {
      const row = await findJobViewRow(deps.db, id);
      return row && { value: row, ttlMs: cacheableForMs(row, deps.retention) };
    },
    metrics: deps.metrics,
  });
}

/**
 * A weak validator of a job's view: what the row says, plus the half of the signed-URL lifetime the request
 * falls in. The URLs are signed afresh on each 200, so a client revalidating within the same half-lifetime
 * still holds URLs good for at least half of it; after that it gets new ones.
 */
export function jobViewEtag(row: CachedJobViewRow, signedUrlTtlMs: number, now = Date.now()): string {
  const epoch = Math.floor(now / Math.max(1_000, Math.floor(signedUrlTtlMs / 2)));
  const digest = createHash('sha1')
    .update(
      [
        row.id,
        row.status,
        row.progress,
        row.remote_status ?? '',
        row.result_key ?? '',
        row.error_code ?? '',
        row.started_at?.getTime() ?? '',
        row.finished_at?.getTime() ?? '',
        row.expired_at?.getTime() ?? '',
        row.upload_expired_at?.getTime() ?? '',
      ].join('\n'),
    )
    .digest('base64url')
    .slice(0, 22);
  return `W/"${digest}-${epoch.toString(36)}"`;
}
