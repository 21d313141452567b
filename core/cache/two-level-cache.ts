import { LRUCache } from 'lru-cache';
import type { Metrics } from '../observability/metrics.js';
import type { RedisClient } from '../queues/redis-connection.js';

/** What a fill found, and whether requests that joined it may take it (it was not read before they came). */
interface Filled<T> {
  value: T | undefined;
  shareable: boolean;
}

/** Where a lookup was answered: this process's memory, the shared Redis, or the source (a miss). */
export type CacheLevel = 'memory' | 'redis' | 'source';

/** What the source says about a key: the value, and how long it may be kept (0: not at all). */
export interface Loaded<T> {
  value: T;
  ttlMs: number;
}

export interface TwoLevelCacheOptions<T extends object> {
  /** The `cache` label of `cosnap_cache_requests_total`, and part of the Redis key. */
  name: string;
  /** Entries kept in this process; the least recently used go first. */
  maxEntries: number;
  /** Upper bound on how long an entry lives in memory, whatever the source allows. */
  memoryTtlMs: number;
  /** The second level, shared by every process; absent for values not worth a round trip. */
  redis?: { client: RedisClient; keyPrefix: string; encode(value: T): string; decode(text: string): T };
  /** Reads the source of truth; `undefined` (nothing there) is never cached. */
  load(key: string): Promise<Loaded<T> | undefined>;
  metrics?: Pick<Metrics, 'cacheRequests'>;
  /** The memory level's clock (tests). */
  now?: () => number;
}

export interface TwoLevelCache<T> {
  get(key: string): Promise<T | undefined>;
  /** Drops the key here and in Redis (after a change this process made). */
  invalidate(key: string): Promise<void>;
  /** Drops the key from this process only (another process changed it, and dropped it from Redis). */
  forgetLocally(key: string): void;
  /** Drops everything from this process (its invalidation notices may have been missed). */
  forgetAllLocally(): void;
}

/** Left in Redis by an invalidation for a while, so a load that read the source before the change cannot store it after. */
const TOMBSTONE = '!';
const TOMBSTONE_TTL_MS = 60_000;

/**
 * An in-process LRU in front of Redis in front of the source. A miss at both levels is one `load` however many
 * requests wait for it (single flight) — when the value may be kept; one that may not (ttl 0) is loaded again for
 * each request that joined, since it may have changed between the load and their arrival. An invalidation that lands while a load is in flight wins: the loaded
 * value is handed to those waiting but not kept, so a value read before a change is never cached after it.
 * Redis errors fall through to the source: the cache only ever saves work.
 */
export function createTwoLevelCache<T extends object>(options: TwoLevelCacheOptions<T>): TwoLevelCache<T> {
  const memory = new LRUCache<string, T>({
    max: options.maxEntries,
    ttl: options.memoryTtlMs,
    // Read the clock on every lookup: its default caches `now` for a millisecond, which an injected clock outruns.
    ttlResolution: 0,
    ...(options.now && { perf: { now: options.now } }),
  });
  const inFlight = new Map<string, Promise<Filled<T>>>();
  // Bumped by every invalidation of a key, so a load that started before it knows not to keep its value.
  const generations = new Map<string, number>();
  const redis = options.redis;
  const redisKey = (key: string) => `${redis!.keyPrefix}:cache:${options.name}:${key}`;
  const count = (level: CacheLevel) =>
    options.metrics?.cacheRequests.inc({ cache: options.name, result: level === 'source' ? 'miss' : 'hit', level });

  async function fromRedis(key: string): Promise<{ value: T; ttlMs: number } | undefined> {
    if (!redis) return undefined;
    try {
      const [[, text], [, ttlMs]] = (await redis.client.multi().get(redisKey(key)).pttl(redisKey(key)).exec()) as [[unknown, string | null], [unknown, number]];
      return text === null || text === TOMBSTONE || ttlMs <= 0 ? undefined : { value: redis.decode(text), ttlMs };
    } catch {
      return undefined;
    }
  }

  async function fill(key: string): Promise<Filled<T>> {
    const generation = generations.get(key) ?? 0;
    const keep = (value: T, ttlMs: number) => {
      if ((generations.get(key) ?? 0) === generation) memory.set(key, value, { ttl: Math.min(ttlMs, options.memoryTtlMs) });
    };
    const shared = await fromRedis(key);
    if (shared) {
      count('redis');
      keep(shared.value, shared.ttlMs);
      return { value: shared.value, shareable: true };
    }
    count('source');
    const loaded = await options.load(key);
    if (!loaded || loaded.ttlMs <= 0) return { value: loaded?.value, shareable: false };
    if ((generations.get(key) ?? 0) !== generation) return { value: loaded.value, shareable: false };
    keep(loaded.value, loaded.ttlMs);
    // NX: a tombstone (or a fresher value) already there wins.
    if (redis) await redis.client.set(redisKey(key), redis.encode(loaded.value), 'PX', Math.ceil(loaded.ttlMs), 'NX').catch(() => undefined);
    return { value: loaded.value, shareable: true };
  }

  const forgetLocally = (key: string) => {
    memory.delete(key);
    generations.set(key, (generations.get(key) ?? 0) + 1);
    // The counter only has to outlive loads in flight; keys no load waits on are dropped again.
    if (!inFlight.has(key)) generations.delete(key);
  };

  return {
    get(key) {
      const value = memory.get(key);
      if (value !== undefined) {
        count('memory');
        return Promise.resolve(value);
      }
      const pending = inFlight.get(key);
      if (pending)
        // A value that may not be kept (a running job's row) may also be older than this request: it is read again.
        return pending.then(async (filled) => {
          if (filled.shareable) {
            count('memory');
            return filled.value;
          }
          count('source');
          return (await options.load(key))?.value;
        });
      const started = fill(key).finally(() => {
        inFlight.delete(key);
        generations.delete(key);
      });
      inFlight.set(key, started);
      return started.then((filled) => filled.value);
    },
    async invalidate(key) {
      forgetLocally(key);
      if (redis) await redis.client.set(redisKey(key), TOMBSTONE, 'PX', TOMBSTONE_TTL_MS);
    },
    forgetLocally,
    forgetAllLocally() {
      memory.clear();
      for (const key of inFlight.keys()) generations.set(key, (generations.get(key) ?? 0) + 1);
    },
  };
}
