import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';
import type { Config } from '../../config/index.js';

/** A single-node client or a Redis Cluster client: BullMQ, rate-limiter-flexible and pub/sub take either. */
export type RedisClient = Redis | Cluster;

/**
 * What a connection is for:
 * - `producer` (API, enqueues, rate limits, health): fails fast while Redis is down, so a request answers 503 at
 *   once instead of hanging on a queued command;
 * - `blocking` (BullMQ workers and event subscribers, pub/sub): waits for Redis to come back forever, as BullMQ
 *   requires (maxRetriesPerRequest: null).
 */
export type RedisRole = 'producer' | 'blocking';

export type RedisSettings = Config['redis'];

const CONNECT_TIMEOUT_MS = 5_000;
const COMMAND_TIMEOUT_MS = 5_000;
const retryStrategy = (attempt: number) => Math.min(200 * 2 ** attempt, 5_000);

function optionsFor(role: RedisRole, connectionName: string): RedisOptions {
  return {
    connectionName,
    connectTimeout: CONNECT_TIMEOUT_MS,
    ...(role === 'producer'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: COMMAND_TIMEOUT_MS }
      : { maxRetriesPerRequest: null }),
  };
}

/** `host:port` or `redis://[user:password@]host:port`; credentials of a node URL apply to every node. */
function parseClusterNode(entry: string): { node: ClusterNode; username?: string; password?: string; tls: boolean } {
  const url = new URL(/^rediss?:\/\//.test(entry) ? entry : `redis://${entry}`);
  return {
    node: { host: url.hostname, port: Number(url.port || 6379) },
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    tls: url.protocol === 'rediss:',
  };
}

/**
 * The one place Redis connections are made. With `REDIS_CLUSTER_NODES` set it returns a Cluster client seeded
 * with those nodes, else a client of `REDIS_URL`. Every key we write carries the hash-tagged `QUEUE_PREFIX`
 * (`{cosnap}` by default), so all keys of a queue — and the rate limits and revocation channel — hash to one slot,
 * which BullMQ's multi-key Lua scripts need on a cluster (config refuses a cluster without a hash tag).
 */
export function createRedis(settings: Pick<RedisSettings, 'url' | 'clusterNodes'>, role: RedisRole, connectionName: string): RedisClient {
  const options = optionsFor(role, connectionName);
  if (!settings.clusterNodes.length) return new Redis(settings.url, { ...options, retryStrategy });
  const nodes = settings.clusterNodes.map(parseClusterNode);
  const credentials = nodes.find((node) => node.password);
  return new Cluster(
    nodes.map((node) => node.node),
    {
      clusterRetryStrategy: retryStrategy,
      // The offline queue of a cluster client also holds commands while it learns the slots: producers still fail fast.
      enableOfflineQueue: role !== 'producer',
      ...(role === 'producer' && { maxRedirections: 4 }),
      redisOptions: {
        ...options,
        ...(credentials && { username: credentials.username, password: credentials.password }),
        ...(nodes.some((node) => node.tls) && { tls: {} }),
      },
    },
  );
}

/** Resolves once the client is connected (at once if it is), rejects after `timeoutMs`; listeners are removed either way. */
export function whenReady(redis: RedisClient, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const ready = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      redis.off('ready', ready);
      reject(new Error(`Redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    redis.once('ready', ready);
  });
}
