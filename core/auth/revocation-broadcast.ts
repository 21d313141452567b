import type { Config } from '../../config/index.js';
import { createRedis, type RedisClient } from '../queues/redis-connection.js';
import type { Logger } from '../observability/logger.js';
import type { RevocationNotice } from './session-revocations.js';

const channelOf = (queuePrefix: string) => `${queuePrefix}:session-revocations`;

function parseNotice(message: string): RevocationNotice | undefined {
  try {
    const notice = JSON.parse(message) as Record<string, unknown>;
    if (typeof notice.sessionId === 'string') return { sessionId: notice.sessionId };
    if (typeof notice.userId === 'string') return { userId: notice.userId };
  } catch {
    // Not one of ours.
  }
  return undefined;
}

/**
 * Tells every API process that a revocation was committed, so it stops trusting its cached view at once. Only
 * a shortcut: a process that misses it (Redis down, not subscribed yet) still sees the revocation within
 * SESSION_CHECK_TTL, since Postgres holds the truth.
 */
export async function announceRevocation(redis: RedisClient, queuePrefix: string, notice: RevocationNotice): Promise<void> {
  await redis.publish(channelOf(queuePrefix), JSON.stringify(notice));
}

export interface RevocationSubscription {
  close(): Promise<void>;
}

/**
 * One subscriber connection per API process. ioredis resubscribes after a reconnect; notices sent while the
 * connection was down are lost, so every reconnect also forgets everything cached.
 */
export function subscribeToRevocations(options: {
  redis: Pick<Config['redis'], 'url' | 'clusterNodes'>;
  queuePrefix: string;
  logger: Logger;
  onNotice(notice: RevocationNotice | 'everything'): void;
}): RevocationSubscription {
  const channel = channelOf(options.queuePrefix);
  const subscriber = createRedis(options.redis, 'blocking', 'cosnap-api-sessions');
  let connectedBefore = false;
  subscriber.on('ready', () => {
    if (connectedBefore) options.onNotice('everything');
    connectedBefore = true;
  });
  subscriber.on('error', (error: Error) => options.logger.warn('session revocation subscriber error', { err: error }));
  subscriber.on('message', (from: string, message: string) => {
    const notice = from === channel ? parseNotice(message) : undefined;
    if (notice) options.onNotice(notice);
  });
  subscriber.subscribe(channel).catch((error: unknown) => options.logger.warn('session revocation subscribe failed', { err: error }));
  return {
    async close() {
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
