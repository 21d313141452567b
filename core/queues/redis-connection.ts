import { Redis } from 'ioredis';

/**
 * Producers (the API) must fail fast when Redis is down so the request can answer 503 at once;
 * workers' blocking connections must instead wait forever for Redis to come back (BullMQ requires
 * maxRetriesPerRequest: null on them).
 */
export function createRedis(url: string, role: 'producer' | 'worker', connectionName: string): Redis {
  return new Redis(url, {
    connectionName,
    lazyConnect: false,
    connectTimeout: 5_000,
    ...(role === 'producer'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 5_000 }
      : { maxRetriesPerRequest: null }),
    retryStrategy: (attempt) => Math.min(200 * 2 ** attempt, 5_000),
  });
}
