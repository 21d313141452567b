import type { Config } from '../../config/index.js';
import type { Logger } from '../observability/logger.js';
import { createRedis, type RedisClient } from '../queues/redis-connection.js';

/** A key of a named cache that changed; every process drops its copy. */
export interface CacheInvalidation {
  cache: string;
  key: string;
}

const channelOf = (queuePrefix: string) => `${queuePrefix}:cache-invalidations`;

function parseInvalidation(message: string): CacheInvalidation | undefined {
  try {
    const notice = JSON.parse(message) as Record<string, unknown>;
    if (typeof notice.cache === 'string' && typeof notice.key === 'string') return { cache: notice.cache, key: notice.key };
  } catch {
    // Not one of ours.
  }
  return undefined;
}

/** Tells every process to drop `key` from its memory level (the publisher has dropped it from Redis already). */
export async function announceInvalidation(redis: RedisClient, queuePrefix: string, invalidation: CacheInvalidation): Promise<void> {
  await redis.publish(channelOf(queuePrefix), JSON.stringify(invalidation));
}

export interface InvalidationSubscription {
  close(): Promise<void>;
}

/**
 * One subscriber connection per process. Notices sent while it was disconnected are lost, so each reconnect
 * calls `onNotice('everything')`: the memory level is dropped and refilled from Redis and the source.
 */
export function subscribeToInvalidations(options: {
  redis: Pick<Config['redis'], 'url' | 'clusterNodes'>;
  queuePrefix: string;
  logger: Logger;
  onNotice(notice: CacheInvalidation | 'everything'): void;
}): InvalidationSubscription {
  const channel = channelOf(options.queuePrefix);
  const subscriber = createRedis(options.redis, 'blocking', 'cosnap-cache-invalidations');
  let connectedBefore = false;
  subscriber.on('ready', () => {
    if (connectedBefore) options.onNotice('everything');
    connectedBefore = true;
  });
  subscriber.on('error', (error: Error) => options.logger.warn('cache invalidation subscriber error', { err: error }));
  subscriber.on('message', (from: string, message: string) => {
    const notice = from === channel ? parseInvalidation(message) : undefined;
    if (notice) options.onNotice(notice);
  });
  subscriber.subscribe(channel).catch((error: unknown) => options.logger.warn('cache invalidation subscribe failed', { err: error }));
  return {
    async close() {
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
