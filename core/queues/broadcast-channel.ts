import type { Config } from '../../config/index.js';
import type { Logger } from '../observability/logger.js';
import { createRedis, type RedisClient } from './redis-connection.js';

export interface BroadcastSubscription {
  close(): Promise<void>;
}

export interface BroadcastChannel<T> {
  /** Tells every subscribed process; a process not connected at that moment never hears it. */
  announce: (redis: RedisClient, queuePrefix: string, notice: T) => Promise<void>;
  /**
   * One subscriber connection per process. ioredis resubscribes after a reconnect; notices sent while the
   * connection was down are lost, so every reconnect calls `onNotice('everything')`.
   */
  subscribe: (options: {
    redis: Pick<Config['redis'], 'url' | 'clusterNodes'>;
    queuePrefix: string;
    logger: Logger;
    onNotice(notice: T | 'everything'): void;
  }) => BroadcastSubscription;
}

/**
 * A Redis pub/sub channel of JSON notices under the queue prefix. `parse` takes a decoded message and returns the
 * notice, or undefined for one that is not ours.
 */
export function broadcastChannel<T>(settings: {
  /** The channel's name after the queue prefix. */
  name: string;
  /** The subscriber connection's name, as Redis' CLIENT LIST shows it. */
  connectionName: string;
  /** What the log lines call it. */
  label: string;
  parse(notice: Record<string, unknown>): T | undefined;
}): BroadcastChannel<T> {
  const channelOf = (queuePrefix: string) => `${queuePrefix}:${settings.name}`;
  const parse = (message: string): T | undefined => {
    try {
      return settings.parse(JSON.parse(message) as Record<string, unknown>);
    } catch {
      return undefined; // Not one of ours.
    }
  };
  return {
    async announce(redis, queuePrefix, notice) {
      await redis.publish(channelOf(queuePrefix), JSON.stringify(notice));
    },
    subscribe(options) {
      const channel = channelOf(options.queuePrefix);
      const subscriber = createRedis(options.redis, 'blocking', settings.connectionName);
      let connectedBefore = false;
      subscriber.on('ready', () => {
        if (connectedBefore) options.onNotice('everything');
        connectedBefore = true;
      });
      subscriber.on('error', (error: Error) => options.logger.warn(`${settings.label} subscriber error`, { err: error }));
      subscriber.on('message', (from: string, message: string) => {
        const notice = from === channel ? parse(message) : undefined;
        if (notice) options.onNotice(notice);
      });
      subscriber.subscribe(channel).catch((error: unknown) => options.logger.warn(`${settings.label} subscribe failed`, { err: error }));
      return {
        async close() {
          await subscriber.quit().catch(() => subscriber.disconnect());
        },
      };
    },
  };
}
